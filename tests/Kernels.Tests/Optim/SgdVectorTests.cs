using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Optim;

namespace SparseCore.Kernels.Tests.Optim;

/// <summary>
/// The CPU SGD step runs whole vectors and a scalar tail: both must equal the scalar OptimMath
/// formulas bit for bit (the ILGPU kernel uses them), at a length with a ragged tail, over steps.
/// </summary>
public class SgdVectorTests
{
    [Theory]
    [InlineData(0.9f, 0f, true)]
    [InlineData(0.9f, 0.1f, false)]
    [InlineData(0.5f, 0f, false)]
    public void Vector_sgd_steps_equal_the_scalar_formulas_bit_for_bit(float momentum, float dampening, bool nesterov)
    {
        const int n = 100_003;
        using var backend = new CpuBackend();
        var random = new System.Random(5);
        float[] p = Values(random, n), m = new float[n];
        float[] expectP = (float[])p.Clone(), expectM = new float[n];
        using var pb = backend.Allocate<float>(n);
        using var gb = backend.Allocate<float>(n);
        using var mb = backend.Allocate<float>(n);
        backend.Upload<float>(p, pb);
        for (int step = 0; step < 3; step++)
        {
            float[] g = Values(random, n);
            backend.Upload<float>(g, gb);
            var h = new SgdHyper(0.05f, momentum, dampening, 5e-4f, nesterov, FirstStep: step == 0);
            backend.SgdStep(pb, gb, mb, h, n);
            for (int i = 0; i < n; i++)
            {
                expectM[i] = OptimMath.SgdMomentum(expectP[i], g[i], expectM[i], h.Momentum, h.Dampening, h.WeightDecay, h.FirstStep);
                expectP[i] = OptimMath.SgdParam(expectP[i], g[i], expectM[i], h.Lr, h.Momentum, h.WeightDecay, h.Nesterov, true);
            }
        }
        Assert.Equal(expectP, backend.ToArray(pb));
        Assert.Equal(expectM, backend.ToArray(mb));
    }

    private static float[] Values(System.Random random, int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
