using SparseCore.Kernels;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Memory;
using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// F.ScoreMaskedWeight: the forward W ⊙ m, the straight-through gradients through autograd checked
/// against their definition (<see cref="SteCheck"/>) on both backends, a wrong estimator rejected
/// by the same check, only the requested gradients computed, and bad shapes rejected in one line.
/// </summary>
public class ScoreMaskOpTests
{
    private const double Tolerance = OpCases.GemmTolerance;

    /// <summary>A conv weight, with exact zeros (+0 and −0) among the scores and a mask keeping the larger half of |s|, as the host's top-k does.</summary>
    private static (float[] W, float[] S, float[] M, double[] R, Shape Shape) Inputs(int seed)
    {
        var shape = new Shape(7, 5, 3, 3);
        var rng = new System.Random(seed);
        var w = RefTensor.Random(rng, shape.Size).ToFloat();
        var s = RefTensor.Random(rng, shape.Size).ToFloat();
        for (int i = 3; i < s.Length; i += 7) s[i] = 0f;
        for (int i = 5; i < s.Length; i += 11) s[i] = -0f;
        var m = new float[s.Length];
        foreach (int i in Enumerable.Range(0, s.Length).OrderByDescending(i => MathF.Abs(s[i])).ThenBy(i => i).Take(s.Length / 2)) m[i] = 1f;
        return (w, s, m, RefTensor.Random(rng, shape.Size).Data, shape);
    }

    /// <summary>
    /// Runs L = Σ r ⊙ tanh(F.ScoreMaskedWeight(W, s, m)) backward on <paramref name="backend"/> and
    /// returns <see cref="SteCheck.Error"/> of the gradients autograd gives W and s.
    /// </summary>
    private static double SteError(Backend backend)
    {
        var (w, s, m, r, shape) = Inputs(17);
        using var scope = new TensorScope();
        var wt = Tensor.FromArray(backend, w, shape);
        var st = Tensor.FromArray(backend, s, shape);
        wt.RequiresGrad = st.RequiresGrad = true;
        var z = F.Tanh(F.ScoreMaskedWeight(wt, st, Tensor.FromArray(backend, m, shape)));
        z.Backward(Tensor.FromArray(backend, Array.ConvertAll(r, v => (float)v), shape));
        Assert.Equal(0, Autograd.TapeLength);
        var dS = st.Grad!.ToArray();
        // The point of the estimator: a pruned weight's score still learns, so it can come back.
        Assert.Contains(Enumerable.Range(0, s.Length), i => m[i] == 0f && s[i] != 0f && dS[i] != 0f);
        return SteCheck.Error(w, s, m, r, wt.Grad!.ToArray(), dS);
    }

    public static IEnumerable<object[]> Backends() => TestBackends.Names.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Backends))]
    public void The_forward_is_the_weight_times_the_mask(string backendName)
    {
        var backend = TestBackends.Get(backendName);
        var (w, s, m, _, shape) = Inputs(3);
        using var scope = new TensorScope();
        var y = F.ScoreMaskedWeight(Tensor.FromArray(backend, w, shape), Tensor.FromArray(backend, s, shape), Tensor.FromArray(backend, m, shape));
        Assert.Equal(shape, y.Shape);
        Assert.Equal(w.Select((x, i) => m[i] == 0f ? 0f : x).ToArray(), y.ToArray());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void The_gradients_are_the_straight_through_estimator_of_the_numeric_gradient_through_the_masked_weight(string backendName)
    {
        double error = SteError(TestBackends.Get(backendName));
        Assert.True(error <= Tolerance, $"{backendName}: STE gradients differ from their definition by {error:E2}");
    }

    [Fact]
    public void An_estimator_without_the_sign_of_the_score_fails_the_check()
    {
        using var backend = new UnsignedSteBackend();
        double error = SteError(backend);
        Assert.True(error > 0.1, $"dScores = dY ⊙ W passed the STE check (error {error:E2})");
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Only_the_gradients_autograd_needs_are_computed_and_the_mask_gets_none(bool weightGrad, bool scoreGrad)
    {
        using var backend = new RecordingBackend();
        var (w, s, m, _, shape) = Inputs(5);
        using var scope = new TensorScope();
        var wt = Tensor.FromArray(backend, w, shape);
        var st = Tensor.FromArray(backend, s, shape);
        var mt = Tensor.FromArray(backend, m, shape);
        wt.RequiresGrad = weightGrad;
        st.RequiresGrad = scoreGrad;
        mt.RequiresGrad = true;
        F.ScoreMaskedWeight(wt, st, mt).Backward(Tensor.Full(backend, shape, 1f));
        Assert.Equal([(weightGrad, scoreGrad)], backend.Requested);
        Assert.Equal(weightGrad, wt.Grad is not null);
        Assert.Equal(scoreGrad, st.Grad is not null);
        Assert.Null(mt.Grad);
    }

    [Theory]
    [InlineData(new[] { 7, 5, 9 }, new[] { 7, 5, 3, 3 }, "shape mismatch, lhs [7, 5, 3, 3], rhs [7, 5, 9]: the scores must have the weight's shape")]
    [InlineData(new[] { 7, 5, 3, 3 }, new[] { 5, 7, 3, 3 }, "shape mismatch, lhs [7, 5, 3, 3], rhs [5, 7, 3, 3]: the mask must have the weight's shape")]
    public void A_score_or_mask_of_another_shape_is_rejected_in_one_line(int[] scoreDims, int[] maskDims, string detail)
    {
        var backend = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        var w = Tensor.Zeros(backend, new Shape(7, 5, 3, 3));
        var e = Assert.Throws<TensorShapeException>(() =>
            F.ScoreMaskedWeight(w, Tensor.Zeros(backend, new Shape(scoreDims)), Tensor.Zeros(backend, new Shape(maskDims))));
        Assert.Equal($"ScoreMaskedWeight: {detail}", e.Message);
    }

    [Fact]
    public void Tensors_on_another_backend_are_rejected()
    {
        using var other = new CpuBackend();
        var backend = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        var shape = new Shape(3, 4);
        var e = Assert.Throws<ArgumentException>(() =>
            F.ScoreMaskedWeight(Tensor.Zeros(backend, shape), Tensor.Zeros(backend, shape), Tensor.Zeros(other, shape)));
        Assert.StartsWith("ScoreMaskedWeight: operands live on different backends", e.Message);
    }

    /// <summary>A deliberately wrong estimator: dScores = dY ⊙ W, without sign(s).</summary>
    private sealed class UnsignedSteBackend : CpuBackend
    {
        protected override void RunScoreMaskBackward(DeviceBuffer<float> w, DeviceBuffer<float> scores, DeviceBuffer<float> mask, DeviceBuffer<float> dy,
                                                     DeviceBuffer<float>? dw, DeviceBuffer<float>? dScores, int n)
        {
            if (dScores is not null) Binary(BinaryOp.Mul, dy, w, dScores, Broadcast.Same(n));
            if (dw is not null) base.RunScoreMaskBackward(w, scores, mask, dy, dw, null, n);
        }
    }

    /// <summary>Records which outputs each backward call asked the kernel for.</summary>
    private sealed class RecordingBackend : CpuBackend
    {
        public List<(bool Dw, bool DScores)> Requested { get; } = [];

        protected override void RunScoreMaskBackward(DeviceBuffer<float> w, DeviceBuffer<float> scores, DeviceBuffer<float> mask, DeviceBuffer<float> dy,
                                                     DeviceBuffer<float>? dw, DeviceBuffer<float>? dScores, int n)
        {
            Requested.Add((dw is not null, dScores is not null));
            base.RunScoreMaskBackward(w, scores, mask, dy, dw, dScores, n);
        }
    }
}
