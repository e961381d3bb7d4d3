using System.Collections.Concurrent;
using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Tests.Cpu;

/// <summary>
/// CpuParallel.For, the partitioning behind every CPU elementwise, norm, pooling and optimizer
/// kernel: the chunks cover [0, count) once each, their bounds depend on count and grain alone
/// (whatever thread runs them, and whether the team was free), and a body's exception reaches the caller.
/// </summary>
public class CpuParallelTests
{
    private static List<(int Start, int End)> Chunks(int count, int grain)
    {
        var seen = new ConcurrentBag<(int, int)>();
        CpuParallel.For(count, grain, (s, e) => seen.Add((s, e)));
        return seen.OrderBy(c => c.Item1).ToList();
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 1)]
    [InlineData(1000, 3)]
    [InlineData(100_003, 1 << 12)]
    [InlineData(5, 1000)]
    public void Chunks_cover_the_range_once_in_order(int count, int grain)
    {
        var chunks = Chunks(count, grain);
        Assert.Equal(0, chunks[0].Start);
        Assert.Equal(count, chunks[^1].End);
        for (int i = 1; i < chunks.Count; i++) Assert.Equal(chunks[i - 1].End, chunks[i].Start);
        Assert.All(chunks, c => Assert.True(c.Start < c.End, $"empty chunk [{c.Start}, {c.End})"));
        Assert.True(chunks.Count <= Environment.ProcessorCount * 4);
    }

    [Fact]
    public void A_call_while_the_team_is_busy_runs_the_same_chunks_on_the_caller()
    {
        var free = Chunks(10_000, 100);
        List<(int, int)>? nested = null;
        int callers = 0;
        // Inside a team job the team is taken, so the nested call must run solo and still cut the range the same way.
        WorkerTeam.Shared.Run(new Job(ctx =>
        {
            if (ctx.ThreadIndex != 0) return;
            var thread = Environment.CurrentManagedThreadId;
            var seen = new List<(int, int)>();
            CpuParallel.For(10_000, 100, (s, e) =>
            {
                if (Environment.CurrentManagedThreadId == thread) Interlocked.Increment(ref callers);
                lock (seen) seen.Add((s, e));
            });
            nested = seen;
        }), WorkerTeam.Shared.Size);
        Assert.Equal(free, nested);
        Assert.Equal(free.Count, callers);
    }

    [Fact]
    public void A_body_that_throws_reaches_the_caller()
    {
        var error = Assert.Throws<AggregateException>(() => CpuParallel.For(1000, 1, (s, e) =>
        {
            if (s == 0) throw new InvalidOperationException("chunk 0 failed");
        }));
        Assert.Contains(error.Flatten().InnerExceptions, e => e.Message == "chunk 0 failed");
    }

    private sealed class Job(Action<WorkerContext> body) : IWorkerJob
    {
        public void Execute(in WorkerContext ctx) => body(ctx);
    }
}
