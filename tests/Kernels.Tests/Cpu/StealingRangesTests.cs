using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Tests.Cpu;

/// <summary>
/// StealingRanges, the deal behind the per-image conv jobs and the shifted conv's image groups:
/// every item is taken exactly once however many threads race for them, an owner takes its own
/// contiguous range front to back, and a thread whose range is done takes the others' from the back.
/// </summary>
public class StealingRangesTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(32, 2)]
    [InlineData(33, 3)]
    [InlineData(7, 8)]
    public void Alone_an_owner_takes_its_range_in_order_then_the_others_from_the_back(int count, int ranges)
    {
        var deal = new StealingRanges(count, ranges);
        var taken = new List<int>();
        while (deal.TryTake(0, out int item)) taken.Add(item);
        // Range 0 is [0, count/ranges) front to back; then range 1's back, range 2's back, ...
        int own = count / ranges;
        Assert.Equal(Enumerable.Range(0, own), taken.Take(own));
        var expected = new List<int>(Enumerable.Range(0, own));
        for (int r = 1; r < ranges; r++)
        {
            int lo = (int)((long)count * r / ranges), hi = (int)((long)count * (r + 1) / ranges);
            expected.AddRange(Enumerable.Range(lo, hi - lo).Reverse());
        }
        Assert.Equal(expected, taken);
        Assert.False(deal.TryTake(1, out _));
    }

    [Fact]
    public void Owners_meet_thieves_without_an_item_taken_twice_or_lost()
    {
        const int Count = 20_000, Threads = 4;
        for (int round = 0; round < 20; round++)
        {
            var deal = new StealingRanges(Count, Threads);
            var hits = new int[Count];
            using var start = new Barrier(Threads);
            var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                // Thread 0 stalls at first, so the others must take most of its range from the back.
                if (t == 0) Thread.SpinWait(20_000);
                while (deal.TryTake(t, out int item)) Interlocked.Increment(ref hits[item]);
            })).ToArray();
            foreach (var thread in threads) thread.Start();
            foreach (var thread in threads) thread.Join();
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void The_per_image_jobs_run_every_image_once_on_the_team()
    {
        const int Count = 37;
        var hits = new int[Count];
        SparseCore.Kernels.Conv.CpuConv.ForEachImage(Count, n => Interlocked.Increment(ref hits[n]));
        Assert.All(hits, h => Assert.Equal(1, h));
    }
}
