namespace SparseCore.Bench.Network;

/// <summary>One contender's blocks in one case: the timed steps per block and each block's samples/s.</summary>
internal sealed record RunnerBlocks(string Name, int Steps, double[] SamplesPerSecond)
{
    public double Median
    {
        get
        {
            var sorted = SamplesPerSecond.Order().ToArray();
            int mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }
}

/// <summary>What one case measured, per contender that runs it.</summary>
internal sealed record CaseResult(NetworkCase Case, IReadOnlyList<RunnerBlocks> Runners)
{
    public RunnerBlocks? Of(string name) => Runners.FirstOrDefault(r => r.Name == name);
}

/// <summary>
/// The harness. BenchmarkDotNet times one benchmark method at a time in its own process (or its
/// own turn), so it cannot alternate the engine with a peer living in another process; on a shared
/// 2-core machine, whose speed drifts by tens of percent over minutes, timing the contenders one
/// after the other would measure the drift. Here the contenders take turns — engine block, PyTorch
/// block, ORT block, engine block, … — each block its warm-up steps then its timed steps, so load
/// that comes and goes hits all of them; a case reports each contender's median block and the
/// ratio of medians.
/// </summary>
internal static class InterleavedBlocks
{
    private const int MaxSteps = 100_000;

    public static CaseResult Measure(NetworkCase c, IReadOnlyList<INetworkRunner> runners, NetworkOptions options, TextWriter progress)
    {
        var active = runners.Where(r => r.Supports(c)).ToArray();
        foreach (var runner in active)
            if (runner.Prepare(c) is { } note) progress.WriteLine($"{c}: {note}");
        var steps = active.Select(r => StepsPerBlock(r, options)).ToArray();
        progress.WriteLine($"{c}: steps per block " + string.Join(", ", active.Select((r, i) => $"{r.Name} {steps[i]}")));
        var rates = active.Select(_ => new double[options.Blocks]).ToArray();
        for (int b = 0; b < options.Blocks; b++)
        {
            for (int i = 0; i < active.Length; i++)
                rates[i][b] = c.Batch * steps[i] / active[i].Run(options.WarmSteps, steps[i]);
            progress.WriteLine($"{c}: block {b + 1}/{options.Blocks}: " +
                               string.Join(", ", active.Select((r, i) => $"{r.Name} {rates[i][b]:F1}/s")));
        }
        return new CaseResult(c, active.Select((r, i) => new RunnerBlocks(r.Name, steps[i], rates[i])).ToArray());
    }

    /// <summary>
    /// An untimed run first takes the one-time costs (JIT tiers, oneDNN primitives, ORT's first
    /// run, the buffer pool's growth); then runs of 1, 4, 16, … steps until one lasts a tenth of
    /// a block give the step time, and with it the steps that fill a block.
    /// </summary>
    private static int StepsPerBlock(INetworkRunner runner, NetworkOptions options)
    {
        runner.Run(options.WarmSteps, 0);
        int n = 1;
        double seconds;
        while ((seconds = runner.Run(0, n)) < options.BlockSeconds / 10 && n < MaxSteps) n *= 4;
        return (int)Math.Clamp(Math.Round(options.BlockSeconds * n / seconds), 1, MaxSteps);
    }
}
