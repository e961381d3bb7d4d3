using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Norm;
using SparseCore.Kernels.Tests.Ilgpu;

namespace SparseCore.Kernels.Tests.Norm;

/// <summary>
/// Backend.FoldBatchNorm, the inference fold of batch-norm into the conv before it, on the CPU and on
/// ILGPU's simulator: against a double reference on odd shapes (with and without a conv bias), bit for
/// bit against the three launches it replaced (evaluation batch-norm on the bias, rstd·γ, w·s), a fold
/// that forgets ε failing the reference, and bad arguments rejected naming the operand.
/// </summary>
[Collection(IlgpuSimulatorCollection.Name)]
public sealed class FoldBatchNormTests(IlgpuSimulatorFixture fixture)
{
    private const float Eps = 1e-3f; // large enough that forgetting it shows

    private Backend Get(string name) => name == "cpu" ? new CpuBackend() : fixture.Backend;

    private sealed record Case(int C, int K, float[] W, float[]? B, float[] Gamma, float[] Beta, float[] Mean, float[] Var);

    private static Case Make(int c, int k, bool bias, int seed) => new(c, k, K.Random(c * k, seed), bias ? K.Random(c, seed + 1) : null,
        K.Random(c, seed + 2, 0.5, 1.5), K.Random(c, seed + 3), K.Random(c, seed + 4), K.Random(c, seed + 5, 1e-4, 2));

    private static (double[] W, double[] B) Reference(Case f, float eps)
    {
        var w = new double[f.C * f.K]; var b = new double[f.C];
        for (int c = 0; c < f.C; c++)
        {
            double s = f.Gamma[c] / Math.Sqrt(f.Var[c] + (double)eps);
            for (int i = 0; i < f.K; i++) w[c * f.K + i] = f.W[c * f.K + i] * s;
            b[c] = ((f.B?[c] ?? 0.0) - f.Mean[c]) * s + f.Beta[c];
        }
        return (w, b);
    }

    private static (float[] W, float[] B) Fold(Backend backend, Case f)
    {
        using var w = K.Upload(backend, f.W); using var bias = f.B is null ? null : K.Upload(backend, f.B);
        using var g = K.Upload(backend, f.Gamma); using var be = K.Upload(backend, f.Beta);
        using var m = K.Upload(backend, f.Mean); using var v = K.Upload(backend, f.Var);
        using var fw = backend.Allocate<float>(f.C * f.K); using var fb = backend.Allocate<float>(f.C);
        backend.FoldBatchNorm(w, bias, g, be, m, v, fw, fb, f.C, f.K, Eps);
        return (backend.ToArray(fw), backend.ToArray(fb));
    }

    [Theory]
    [InlineData("cpu", true)]
    [InlineData("cpu", false)]
    [InlineData("ilgpu", true)]
    [InlineData("ilgpu", false)]
    public void The_fold_matches_the_double_reference(string name, bool bias)
    {
        var f = Make(name == "cpu" ? 67 : 7, name == "cpu" ? 297 : 27, bias, 3);
        var (w, b) = Fold(Get(name), f);
        var (rw, rb) = Reference(f, Eps);
        K.AssertClose(w, rw, 1e-6, $"{name} folded weight");
        K.AssertClose(b, rb, 1e-6, $"{name} folded bias");
    }

    [Fact]
    public void A_fold_that_forgets_eps_fails_the_reference()
    {
        var f = Make(7, 27, true, 5);
        var (w, _) = Fold(new CpuBackend(), f);
        var (wrong, _) = Reference(f, 0f);
        Assert.True(K.NormwiseError(w, wrong) > 1e-4, "the ε-free fold passed as the real one");
    }

    [Theory]
    [InlineData("cpu", true)]
    [InlineData("cpu", false)]
    [InlineData("ilgpu", true)]
    [InlineData("ilgpu", false)]
    public void It_equals_the_three_launches_it_replaced_bit_for_bit(string name, bool bias)
    {
        var backend = Get(name);
        var f = Make(name == "cpu" ? 33 : 5, name == "cpu" ? 99 : 9, bias, 9);
        var (w, b) = Fold(backend, f);
        using var x = K.Upload(backend, f.B ?? new float[f.C]);
        using var g = K.Upload(backend, f.Gamma); using var be = K.Upload(backend, f.Beta);
        using var m = K.Upload(backend, f.Mean); using var v = K.Upload(backend, f.Var);
        using var ow = K.Upload(backend, f.W);
        using var fb = backend.Allocate<float>(f.C); using var mean = backend.Allocate<float>(f.C); using var rstd = backend.Allocate<float>(f.C);
        using var scale = backend.Allocate<float>(f.C); using var fw = backend.Allocate<float>(f.C * f.K);
        backend.BatchNorm2d(x, g, be, m, v, fb, mean, rstd, new BatchNormShape(1, f.C, 1), training: false, momentum: 0f, Eps);
        backend.Binary(BinaryOp.Mul, rstd, g, scale, Broadcast.Same(f.C));
        backend.Binary(BinaryOp.Mul, ow, scale, fw, new Broadcast(1, f.C, f.K));
        K.AssertBitIdentical(w, backend.ToArray(fw), $"{name} folded weight");
        K.AssertBitIdentical(b, backend.ToArray(fb), $"{name} folded bias");
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_operand()
    {
        using var backend = new CpuBackend();
        using var w = backend.Allocate<float>(12); using var c3 = backend.Allocate<float>(3); using var c2 = backend.Allocate<float>(2);
        using var fw = backend.Allocate<float>(12);
        void Rejects(string operand, Action run) => Assert.Contains(operand, Assert.Throws<ArgumentException>(run).Message);
        Rejects("gamma", () => backend.FoldBatchNorm(w, null, c2, c3, c3, c3, fw, c3, 3, 4, 1e-5f));
        Rejects("bias", () => backend.FoldBatchNorm(w, c2, c3, c3, c3, c3, fw, c3, 3, 4, 1e-5f));
        Rejects("foldedWeight", () => backend.FoldBatchNorm(w, null, c3, c3, c3, c3, c3, c3, 3, 4, 1e-5f));
        Rejects("foldedWeight", () => backend.FoldBatchNorm(w, null, c3, c3, c3, c3, w, c3, 3, 4, 1e-5f));
        Rejects("eps", () => backend.FoldBatchNorm(w, null, c3, c3, c3, c3, fw, c3, 3, 4, 0f));
    }
}
