using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Tests.Conv;

/// <summary>
/// Conv forwards from three callers at once: one owns the shared worker team, the others run solo
/// (<see cref="WorkerTeam.Run"/>), with per-thread scratch and pooled offsets in play — every
/// result must equal the single-caller one bit for bit. Shapes cover the image-parallel shifted
/// path, the tile-shared path of a batch smaller than the team, 7×7 over 8 channels (where a
/// NullReferenceException was once seen under an in-process benchmark, never reproduced) and a
/// strided layer.
/// </summary>
public sealed class ConvContentionTests
{
    private static readonly Conv2dShape[] Shapes =
    [
        new(5, 8, 14, 14, 8, 7, 7, 1, 1, 3, 3),
        new(1, 16, 14, 14, 16, 3, 3, 1, 1, 1, 1),
        new(4, 13, 14, 14, 13, 3, 3, 1, 1, 1, 1),
        new(8, 16, 28, 28, 32, 3, 3, 2, 2, 1, 1),
        new(3, 32, 7, 7, 32, 1, 1),
    ];

    private static float[] Run(CpuBackend backend, Conv2dShape s, int seed)
    {
        var rng = new System.Random(seed);
        var xs = Enumerable.Range(0, (int)s.XLength).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var ws = Enumerable.Range(0, (int)s.WeightLength).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        using var x = backend.Allocate<float>((int)s.XLength);
        using var w = backend.Allocate<float>((int)s.WeightLength);
        using var y = backend.Allocate<float>((int)s.YLength);
        backend.Upload<float>(xs, x);
        backend.Upload<float>(ws, w);
        backend.Conv2dForward(s, x, w, null, y);
        return backend.ToArray(y);
    }

    [Fact]
    public void Three_callers_at_once_get_the_single_callers_bits()
    {
        using var solo = new CpuBackend();
        var expected = Shapes.Select((s, i) => Run(solo, s, i)).ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var callers = Enumerable.Range(0, 3).Select(t => new Thread(() =>
        {
            using var backend = new CpuBackend();
            try
            {
                for (int r = 0; r < 40; r++)
                {
                    int i = (r + t) % Shapes.Length;
                    if (!Run(backend, Shapes[i], i).AsSpan().SequenceEqual(expected[i])) failures.Add($"caller {t}, round {r}: {Shapes[i]} differs");
                }
            }
            catch (Exception e)
            {
                failures.Add($"caller {t}: {e.GetType().Name}: {e.Message}");
            }
        })).ToList();
        callers.ForEach(c => c.Start());
        callers.ForEach(c => c.Join());
        Assert.Empty(failures);
    }
}
