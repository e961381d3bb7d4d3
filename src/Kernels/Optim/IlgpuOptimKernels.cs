using ILGPU;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Optim;

/// <summary>Optimizer updates, flat element-parallel, with <see cref="OptimMath"/>'s formulas (shared with the CPU).</summary>
internal static class IlgpuOptimKernels
{
    /// <summary>hasMomentum = 0: the momentum view is a placeholder and never touched.</summary>
    [IlgpuKernel]
    internal static void SgdStep(Index1D t, ArrayView<float> param, ArrayView<float> grad, ArrayView<float> momentum, int n, int hasMomentum,
                                 float lr, float mu, float dampening, float weightDecay, int nesterov, int firstStep)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, i = t; e < IlgpuElementwiseKernels.ElementsPerThread && i < n; e++, i += stride)
        {
            float p = param[i], g = grad[i];
            float b = 0f;
            if (hasMomentum != 0)
            {
                b = OptimMath.SgdMomentum(p, g, momentum[i], mu, dampening, weightDecay, firstStep != 0);
                momentum[i] = b;
            }
            param[i] = OptimMath.SgdParam(p, g, b, lr, mu, weightDecay, nesterov != 0, hasMomentum != 0);
        }
    }

    /// <summary>Adam or AdamW: gradientDecay is wd for Adam's L2 (0 for AdamW), paramScale 1 − lr·wd for AdamW (1 for Adam).</summary>
    [IlgpuKernel]
    internal static void AdamStep(Index1D t, ArrayView<float> param, ArrayView<float> grad, ArrayView<float> m, ArrayView<float> v, int n,
                                  float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float eps,
                                  float gradientDecay, float paramScale, float stepSize, float biasCorrection2Sqrt)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, i = t; e < IlgpuElementwiseKernels.ElementsPerThread && i < n; e++, i += stride)
        {
            float p = param[i];
            float g = OptimMath.AdamGrad(grad[i], p, gradientDecay);
            float mi = OptimMath.AdamM(m[i], g, beta1, oneMinusBeta1);
            float vi = OptimMath.AdamV(v[i], g, beta2, oneMinusBeta2);
            m[i] = mi;
            v[i] = vi;
            param[i] = OptimMath.AdamParam(p, mi, vi, paramScale, stepSize, biasCorrection2Sqrt, eps);
        }
    }
}
