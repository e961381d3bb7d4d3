using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Optim;

namespace SparseCore.Kernels.Cpu;

/// <summary>Optimizer updates, element-parallel, with <see cref="OptimMath"/>'s formulas.</summary>
public partial class CpuBackend
{
    protected override void RunSgdStep(DeviceBuffer<float> param, DeviceBuffer<float> grad, DeviceBuffer<float>? momentum, in SgdHyper hyper, int n)
    {
        var p = ArrayOf(param); var g = ArrayOf(grad); var buf = momentum is null ? null : ArrayOf(momentum);
        var h = hyper;
        CpuParallel.For(n, ElementGrain, (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                float b = 0f;
                if (buf is not null) buf[i] = b = OptimMath.SgdMomentum(p[i], g[i], buf[i], h.Momentum, h.Dampening, h.WeightDecay, h.FirstStep);
                p[i] = OptimMath.SgdParam(p[i], g[i], b, h.Lr, h.Momentum, h.WeightDecay, h.Nesterov, buf is not null);
            }
        });
    }

    protected override void RunAdamStep(DeviceBuffer<float> param, DeviceBuffer<float> grad, DeviceBuffer<float> m, DeviceBuffer<float> v, in AdamHyper hyper, int n)
    {
        var p = ArrayOf(param); var g = ArrayOf(grad); var ma = ArrayOf(m); var va = ArrayOf(v);
        float beta1 = (float)hyper.Beta1, oneMinusBeta1 = hyper.OneMinusBeta1, beta2 = (float)hyper.Beta2, oneMinusBeta2 = hyper.OneMinusBeta2;
        float eps = hyper.Eps, gradientDecay = hyper.GradientDecay, paramScale = hyper.ParamScale;
        float stepSize = hyper.StepSize, bc2Sqrt = hyper.BiasCorrection2Sqrt;
        CpuParallel.For(n, ElementGrain, (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                float gi = OptimMath.AdamGrad(g[i], p[i], gradientDecay);
                ma[i] = OptimMath.AdamM(ma[i], gi, beta1, oneMinusBeta1);
                va[i] = OptimMath.AdamV(va[i], gi, beta2, oneMinusBeta2);
                p[i] = OptimMath.AdamParam(p[i], ma[i], va[i], paramScale, stepSize, bc2Sqrt, eps);
            }
        });
    }
}
