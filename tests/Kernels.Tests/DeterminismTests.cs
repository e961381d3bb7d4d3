using SparseCore.Kernels.Elementwise;

namespace SparseCore.Kernels.Tests;

/// <summary>
/// The contract's determinism promise: kernels used in training give bit-identical outputs when run
/// again on the same inputs, including the reductions that split across threads.
/// </summary>
public class DeterminismTests
{
    private const int Runs = 3;

    private static void AssertRepeatable(string what, Func<float[]> run)
    {
        var first = run();
        for (int r = 1; r < Runs; r++) K.AssertBitIdentical(first, run(), $"{what}, run {r + 1}");
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void ReduceSum_is_bit_identical_run_to_run(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        using var x = K.Upload(backend, K.Random(1_000_003, 1, -1e3, 1e3));
        using var y = backend.Allocate<float>(1);
        AssertRepeatable("ReduceSum outer=1 axis=1000003", () => { backend.ReduceSum(x, y, 1, 1_000_003, 1); return backend.ToArray(y); });

        // The inner > 1 path, chunked over inner: outer = 1, axis = 2049, inner = 487.
        using var z = backend.Allocate<float>(487);
        AssertRepeatable("ReduceSum axis=2049 inner=487", () => { backend.ReduceSum(x, z, 1, 2049, 487, 0.5f); return backend.ToArray(z); });
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void BinaryBackward_per_channel_db_is_bit_identical_run_to_run(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        foreach (var shape in new[] { Broadcast.PerChannel(33, 17, 1031), Broadcast.PerColumn(4099, 301) })
        {
            int total = shape.Total;
            using var a = K.Upload(backend, K.Random(total, 2));
            using var b = K.Upload(backend, K.Random(shape.Mid, 3, 0.5, 2));
            using var dy = K.Upload(backend, K.Random(total, 4));
            using var da = backend.Allocate<float>(total);
            using var db = backend.Allocate<float>(shape.Mid);
            foreach (var op in Enum.GetValues<BinaryOp>())
            {
                AssertRepeatable($"BinaryBackward({op}) {shape} db", () => { backend.BinaryBackward(op, a, b, dy, null, db, shape); return backend.ToArray(db); });
                AssertRepeatable($"BinaryBackward({op}) {shape} da+db", () =>
                {
                    backend.BinaryBackward(op, a, b, dy, da, db, shape);
                    return [.. backend.ToArray(da), .. backend.ToArray(db)];
                });
            }
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void Softmax_is_bit_identical_run_to_run(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        foreach (var (rows, cols) in new[] { (1003, 1001), (7, 100_003) })
        {
            using var x = K.Upload(backend, K.Random(rows * cols, 5, -20, 20));
            using var y = backend.Allocate<float>(rows * cols);
            foreach (bool log in new[] { false, true })
                AssertRepeatable($"Softmax(log={log}) {rows}×{cols}", () => { backend.Softmax(x, y, rows, cols, log); return backend.ToArray(y); });
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void Results_do_not_depend_on_the_backend_instance(string backendName)
    {
        float[] Run()
        {
            using var backend = KernelTestBackends.Create(backendName);
            using var x = K.Upload(backend, K.Random(300_007, 6));
            using var y = backend.Allocate<float>(1);
            backend.ReduceSum(x, y, 1, 300_007, 1);
            using var s = backend.Allocate<float>(300_007);
            backend.Softmax(x, s, 7, 300_007 / 7, log: true);
            return [.. backend.ToArray(y), .. backend.ToArray(s)];
        }
        K.AssertBitIdentical(Run(), Run(), "two fresh backends");
    }
}
