using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Tests.Memory;

/// <summary>The caching allocator: size classes, reuse, bookkeeping, Trim and use-after-Dispose.</summary>
public class BufferPoolTests
{
    private static IEnumerable<int> ProbeLengths()
    {
        for (int n = 0; n <= 5000; n++) yield return n;
        for (int shift = 12; shift <= 30; shift++)
        {
            int p = 1 << shift;
            for (int d = -3; d <= 3; d++) yield return p + d;
            for (int q = 1; q < 4; q++) { yield return p + q * (p / 4); yield return p + q * (p / 4) + 1; }
        }
        yield return int.MaxValue - 1;
        yield return int.MaxValue;
    }

    [Fact]
    public void Size_classes_cover_the_length_waste_at_most_a_quarter_and_are_monotone()
    {
        var lengths = ProbeLengths().Distinct().Order().ToArray();
        int previous = 0;
        foreach (int n in lengths)
        {
            int c = BufferPool.SizeClass(n);
            Assert.True(c >= n, $"class {c} < length {n}");
            Assert.True(c >= previous, $"class of {n} ({c}) below the class of a shorter length ({previous})");
            if (n > 64) Assert.True(c - (double)n <= 0.25 * n, $"length {n} gets class {c}: {(c - (double)n) / n:P1} waste");
            previous = c;
        }
        // Few distinct classes, so shapes that differ slightly share storage.
        Assert.Equal(16, BufferPool.SizeClass(1));
        Assert.Equal(64, BufferPool.SizeClass(17));
        Assert.Equal(80, BufferPool.SizeClass(65));
        Assert.Equal(1024, BufferPool.SizeClass(1000));
        Assert.Equal(1280, BufferPool.SizeClass(1025));
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void Rent_and_return_reuse_storage_with_exact_bookkeeping(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var pool = backend.Pool;
        Assert.Equal((0, 0L, 0L, 0L), (pool.LiveBuffers, pool.LiveBytes, pool.PooledBytes, pool.RawAllocations));

        var a = backend.Allocate<float>(1000);        // class 1024 → 4096 bytes
        Assert.Equal((1, 4096L, 0L, 1L), (pool.LiveBuffers, pool.LiveBytes, pool.PooledBytes, pool.RawAllocations));
        var b = backend.Allocate<int>(7);             // class 16 → 64 bytes
        Assert.Equal((2, 4160L, 0L, 2L), (pool.LiveBuffers, pool.LiveBytes, pool.PooledBytes, pool.RawAllocations));

        a.Dispose();
        Assert.True(a.IsDisposed);
        Assert.Equal((1, 64L, 4096L, 2L), (pool.LiveBuffers, pool.LiveBytes, pool.PooledBytes, pool.RawAllocations));

        // Same class (1000 and 1003 both round to 1024): reused, no raw allocation.
        var c = backend.Allocate<float>(1003);
        Assert.Equal(1003, c.Length);
        Assert.Equal((2, 4160L, 0L, 2L), (pool.LiveBuffers, pool.LiveBytes, pool.PooledBytes, pool.RawAllocations));

        // A reused buffer is fully usable at its new length.
        var data = K.Random(1003, 3);
        backend.Upload<float>(data, c);
        Assert.Equal(data, backend.ToArray(c));

        // Same capacity, different element type: not shared.
        c.Dispose();
        using var d = backend.Allocate<int>(1000);
        Assert.Equal(3L, pool.RawAllocations);
        Assert.Equal(4096L, pool.PooledBytes);

        // A steady-state loop allocates nothing new.
        long raw = pool.RawAllocations;
        for (int step = 0; step < 10; step++)
        {
            using var x = backend.Allocate<float>(1001);
            using var y = backend.Allocate<float>(999);
        }
        Assert.Equal(raw + 1, pool.RawAllocations); // the second concurrent 1024-class buffer, once
        b.Dispose();
        Assert.Equal(1, pool.LiveBuffers);
    }

    [Fact]
    public void Peak_live_bytes_records_the_high_water_mark_until_reset()
    {
        using var backend = new SparseCore.Kernels.Cpu.CpuBackend();
        var pool = backend.Pool;
        var a = backend.Allocate<float>(1000);        // 4096 bytes
        var b = backend.Allocate<float>(2000);        // class 2048 → 8192 bytes
        a.Dispose();
        b.Dispose();
        Assert.Equal((0L, 12288L), (pool.LiveBytes, pool.PeakLiveBytes));

        using var c = backend.Allocate<float>(16);
        pool.ResetPeak();                              // the peak restarts from what is live now
        Assert.Equal(64L, pool.PeakLiveBytes);
        backend.Allocate<float>(1000).Dispose();
        Assert.Equal(64L + 4096L, pool.PeakLiveBytes);
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void Trim_releases_pooled_bytes_but_not_live_ones(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var pool = backend.Pool;
        using var live = backend.Allocate<float>(100);
        backend.Upload<float>(K.Random(100, 1), live);
        for (int i = 0; i < 3; i++) backend.Allocate<float>(5000 + i).Dispose();
        backend.Allocate<float>(5000).Dispose();
        backend.Allocate<int>(33).Dispose();
        Assert.True(pool.PooledBytes > 0);
        long liveBytes = pool.LiveBytes, raw = pool.RawAllocations;

        pool.Trim();
        Assert.Equal(0L, pool.PooledBytes);
        Assert.Equal(liveBytes, pool.LiveBytes);
        Assert.Equal(1, pool.LiveBuffers);
        Assert.Equal(K.Random(100, 1), backend.ToArray(live)); // live data survives a Trim

        // After a Trim the next rent of that class is a fresh raw allocation.
        using var again = backend.Allocate<float>(5000);
        Assert.Equal(raw + 1, pool.RawAllocations);
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void Using_a_disposed_buffer_throws_naming_its_type_and_length(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var x = backend.Allocate<float>(7);
        var y = backend.Allocate<float>(7);
        var labels = backend.Allocate<int>(13);
        x.Dispose();
        labels.Dispose();

        void Check(Action act, string type, int length)
        {
            var ex = Assert.Throws<ObjectDisposedException>(act);
            Assert.Contains($"{type}[{length}]", ex.Message);
        }
        Check(() => backend.ToArray(x), "Single", 7);
        Check(() => backend.Upload<float>(new float[7], x), "Single", 7);
        Check(() => backend.Fill(x, 1f), "Single", 7);
        Check(() => backend.Unary(UnaryOp.Relu, x, y, 7), "Single", 7);
        Check(() => backend.Unary(UnaryOp.Relu, y, x, 7), "Single", 7);
        Check(() => backend.Copy(y, 0, x, 0, 7), "Single", 7);
        Check(() => backend.ToArray(labels), "Int32", 13);
        y.Dispose();
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void Double_dispose_is_harmless(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var pool = backend.Pool;
        var x = backend.Allocate<float>(300);
        x.Dispose();
        var after = (pool.LiveBuffers, pool.LiveBytes, pool.PooledBytes);
        x.Dispose();
        Assert.Equal(after, (pool.LiveBuffers, pool.LiveBytes, pool.PooledBytes));
        Assert.Equal(0, pool.LiveBuffers);

        // The storage was pooled once, so two new buffers of that class cannot share it.
        using var a = backend.Allocate<float>(300);
        using var b = backend.Allocate<float>(300);
        backend.Fill(a, 1f);
        backend.Fill(b, 2f);
        Assert.All(backend.ToArray(a), v => Assert.Equal(1f, v));
    }
}
