using System.Diagnostics;

namespace SparseCore.Kernels.Diagnostics;

/// <summary>
/// Where the time goes: attached to a backend (<see cref="Backend.Profiler"/>), it times every
/// kernel entry point by family and every region the caller opens (<see cref="Backend.Region"/>:
/// "data", "forward", "backward", "optimizer", …). Time is exclusive — a region is charged only
/// what its kernels and sub-regions do not explain — so the rows add up to the time spent inside
/// the outermost scopes, and what is left of a wall clock measured around them is work no scope
/// covers. One thread drives a backend, so the profiler keeps one stack and no locks.
/// </summary>
public sealed class Profiler
{
    /// <summary>The region a kernel issued outside every region is charged to.</summary>
    public const string NoRegion = "outside regions";

    private readonly Stack<Frame> open = new();
    private readonly Dictionary<(string Region, OpFamily? Family), Accumulator> rows = new();
    private readonly long started = Stopwatch.GetTimestamp();

    /// <summary>Seconds since the profiler was made: the wall clock its rows are compared with.</summary>
    public double WallSeconds => Stopwatch.GetElapsedTime(started).TotalSeconds;

    /// <summary>Σ of all rows: the time spent inside outermost scopes.</summary>
    public double ProfiledSeconds => rows.Values.Sum(a => a.Seconds);

    /// <summary>The rows, most time first (ties by label so reports are stable).</summary>
    public IReadOnlyList<ProfileRow> Rows() =>
        rows.Select(kv => new ProfileRow(kv.Key.Region, kv.Key.Family, kv.Value.Calls, kv.Value.Seconds, kv.Value.Flops, kv.Value.Bytes))
            .OrderByDescending(r => r.Seconds).ThenBy(r => r.Label, StringComparer.Ordinal).ToList();

    internal void OpenRegion(string name) => open.Push(new Frame(name, null, Stopwatch.GetTimestamp(), 0, 0));

    internal void OpenKernel(OpFamily family, double flops, double bytes) =>
        open.Push(new Frame(CurrentRegion, family, Stopwatch.GetTimestamp(), flops, bytes));

    internal void Close()
    {
        var frame = open.Pop();
        long elapsed = Stopwatch.GetTimestamp() - frame.Start;
        var row = Row(frame.Region, frame.Family);
        row.Seconds += (elapsed - frame.ChildTicks) / (double)Stopwatch.Frequency;
        row.Calls++;
        row.Flops += frame.Flops;
        row.Bytes += frame.Bytes;
        if (open.Count > 0) open.Peek().ChildTicks += elapsed;
    }

    private string CurrentRegion
    {
        get
        {
            foreach (var f in open)
                if (f.Family is null) return f.Region;
            return NoRegion;
        }
    }

    private Accumulator Row(string region, OpFamily? family)
    {
        if (!rows.TryGetValue((region, family), out var a)) rows[(region, family)] = a = new Accumulator();
        return a;
    }

    private sealed class Frame(string region, OpFamily? family, long start, double flops, double bytes)
    {
        public string Region { get; } = region;
        public OpFamily? Family { get; } = family;
        public long Start { get; } = start;
        public double Flops { get; } = flops;
        public double Bytes { get; } = bytes;
        public long ChildTicks { get; set; }
    }

    private sealed class Accumulator
    {
        public long Calls;
        public double Seconds, Flops, Bytes;
    }
}
