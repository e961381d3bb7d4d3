namespace SparseCore.Pass.Pipeline;

/// <summary>Timed forwards of one batch, in milliseconds; the median is the figure reported.</summary>
public sealed record LatencyResult(IReadOnlyList<double> TimesMs, int Batch, int Warmup, int Threads)
{
    public int Repetitions => TimesMs.Count;

    public double MedianMs => Median.Of(TimesMs);

    /// <summary>The conditions as summary.json records them.</summary>
    public LatencySetup Setup => new(Batch, Threads, Warmup, Repetitions);

    /// <summary>Threads: the host threads the CPU kernels may use (Environment.ProcessorCount,
    /// which honours DOTNET_PROCESSOR_COUNT); on a GPU it is the host side only.</summary>
    internal static LatencyResult From(double[] timesMs, int batch, int warmup) =>
        new(timesMs, batch, warmup, Environment.ProcessorCount);
}
