using System.Numerics;
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
            int i = buf is null ? s : SgdMomentumVectors(p, g, buf, h, s, e);
            for (; i < e; i++)
            {
                float b = 0f;
                if (buf is not null) buf[i] = b = OptimMath.SgdMomentum(p[i], g[i], buf[i], h.Momentum, h.Dampening, h.WeightDecay, h.FirstStep);
                p[i] = OptimMath.SgdParam(p[i], g[i], b, h.Lr, h.Momentum, h.WeightDecay, h.Nesterov, buf is not null);
            }
        });
    }

    /// <summary>
    /// <see cref="OptimMath.SgdMomentum"/> and <see cref="OptimMath.SgdParam"/> on whole vectors, the same
    /// operations in the same order (a multiply, then an add: no fused multiply-add), so bit-identical
    /// to the scalar loop; returns where the scalar tail starts. The scalar loop ran at 6–9 GB/s on
    /// ResNet-18's 11 M parameters, 5 % of a training step.
    /// </summary>
    private static int SgdMomentumVectors(float[] p, float[] g, float[] buf, SgdHyper h, int start, int end)
    {
        int w = Vector<float>.Count, i = start;
        var wd = new Vector<float>(h.WeightDecay); var mom = new Vector<float>(h.Momentum);
        var keep = new Vector<float>(1f - h.Dampening); var lr = new Vector<float>(h.Lr);
        for (; i + w <= end; i += w)
        {
            var pv = new Vector<float>(p, i); var gv = new Vector<float>(g, i);
            var d = gv + wd * pv;
            var b = h.FirstStep ? d : mom * new Vector<float>(buf, i) + keep * d;
            b.CopyTo(buf, i);
            var step = h.Nesterov ? d + mom * b : b;
            (pv - lr * step).CopyTo(p, i);
        }
        return i;
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
