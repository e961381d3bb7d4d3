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

    protected override void RunAdamWStep(DeviceBuffer<float> param, DeviceBuffer<float> grad, DeviceBuffer<float> m, DeviceBuffer<float> v, in AdamWHyper hyper, int n)
    {
        var p = ArrayOf(param); var g = ArrayOf(grad); var ma = ArrayOf(m); var va = ArrayOf(v);
        var h = hyper;
        float bc1 = h.BiasCorrection1, bc2 = h.BiasCorrection2;
        CpuParallel.For(n, ElementGrain, (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                ma[i] = OptimMath.AdamM(ma[i], g[i], h.Beta1);
                va[i] = OptimMath.AdamV(va[i], g[i], h.Beta2);
                p[i] = OptimMath.AdamWParam(p[i], ma[i], va[i], h.Lr, h.Eps, h.WeightDecay, bc1, bc2);
            }
        });
    }
}
