using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Tests.Memory;

/// <summary>
/// One backend used from several threads at once (test classes in parallel did): its pool's counts
/// stay exact and no buffer is handed out twice. The unsynchronised pool this guards against did
/// not fail here in two tries (the window is narrow); it failed a CI run with a
/// NullReferenceException allocating a tensor while two Pass test classes shared one backend.
/// </summary>
public class BufferPoolThreadTests
{
    [Fact]
    public void Threads_renting_and_returning_at_once_leave_the_pool_consistent()
    {
        using var backend = new CpuBackend();
        const int threads = 4, rounds = 20_000;
        var handedOut = new System.Collections.Concurrent.ConcurrentDictionary<object, byte>(ReferenceEqualityComparer.Instance);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (int i = 0; i < rounds; i++)
            {
                var buffer = backend.Allocate<float>(100 + (i + t) % 20);
                Assert.True(handedOut.TryAdd(buffer.Storage, 0), "a pooled buffer was handed out twice at once");
                Assert.True(handedOut.TryRemove(buffer.Storage, out _));
                buffer.Dispose();
            }
        });
        Assert.Equal(0, backend.Pool.LiveBuffers);
        Assert.Equal(0, backend.Pool.LiveBytes);
    }
}
