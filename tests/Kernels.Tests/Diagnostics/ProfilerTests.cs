using System.Diagnostics;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Elementwise;

namespace SparseCore.Kernels.Tests.Diagnostics;

/// <summary>The profiler's accounting: exclusive times per region and family, calls, work and the off switch.</summary>
public class ProfilerTests
{
    [Fact]
    public void Kernels_are_charged_to_the_innermost_region_and_regions_keep_only_their_own_time()
    {
        using var backend = new CpuBackend();
        using var x = backend.Allocate<float>(1 << 20);
        using var y = backend.Allocate<float>(1 << 20);
        var profiler = backend.Profiler = new Profiler();
        var clock = Stopwatch.StartNew();
        using (backend.Region("outer"))
        {
            backend.Fill(x, 1f);
            Thread.Sleep(30); // the outer region's own work
            using (backend.Region("inner"))
            {
                backend.Unary(UnaryOp.Relu, x, y, 1 << 20);
                backend.Unary(UnaryOp.Relu, x, y, 1 << 20);
            }
        }
        backend.Fill(y, 0f);
        double wall = clock.Elapsed.TotalSeconds;
        backend.Profiler = null;

        var rows = profiler.Rows().ToDictionary(r => r.Label);
        Assert.Equal(2, rows["inner · elementwise"].Calls);
        Assert.Equal(2 * 8.0 * (1 << 20), rows["inner · elementwise"].Bytes);
        Assert.Equal(1, rows["outer · elementwise"].Calls);
        Assert.Equal(1, rows[$"{Profiler.NoRegion} · elementwise"].Calls);
        var outer = rows["outer · bookkeeping (autograd, allocation, host)"];
        Assert.InRange(outer.Seconds, 0.025, 0.5);
        // Exclusive accounting: the rows add up to the time inside the outermost scopes, no more.
        Assert.InRange(profiler.ProfiledSeconds, 0.9 * wall, wall);
        Assert.NotNull(rows["inner · elementwise"].GBps);
        Assert.Null(rows["inner · elementwise"].Gflops);
    }

    [Fact]
    public void Without_a_profiler_regions_and_kernels_record_nothing()
    {
        using var backend = new CpuBackend();
        using var x = backend.Allocate<float>(16);
        var profiler = new Profiler();
        using (backend.Region("forward")) backend.Fill(x, 2f);
        Assert.Empty(profiler.Rows());
        Assert.Equal(2f, backend.ToArray(x)[15]);
    }
}
