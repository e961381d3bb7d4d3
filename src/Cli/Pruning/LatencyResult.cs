namespace SparseCore.Cli.Pruning;

/// <summary>
/// Timed forwards of one batch, in milliseconds. The median is the figure reported (robust to a
/// stray slow run from the OS or the garbage collector); min and max show the spread.
/// </summary>
public sealed record LatencyResult(IReadOnlyList<double> TimesMs, int Batch, int Warmup, int Threads)
{
    public int Repetitions => TimesMs.Count;
    public double MinMs => TimesMs.Min();
    public double MaxMs => TimesMs.Max();

    /// <summary>The middle time, or the mean of the two middle times for an even count.</summary>
    public double MedianMs
    {
        get
        {
            var sorted = TimesMs.Order().ToArray();
            int mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    /// <summary>The conditions as summary.json records them.</summary>
    public LatencySetup Setup => new(Batch, Threads, Warmup, Repetitions);

    /// <summary>Threads: the host threads the CPU kernels may use (Environment.ProcessorCount,
    /// which honours DOTNET_PROCESSOR_COUNT); on a GPU it is the host side only.</summary>
    internal static LatencyResult From(double[] timesMs, int batch, int warmup) =>
        new(timesMs, batch, warmup, Environment.ProcessorCount);
}
