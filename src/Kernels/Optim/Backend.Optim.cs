using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Optim;

namespace SparseCore.Kernels;

/// <summary>
/// In-place optimizer steps over a flat parameter buffer with PyTorch's semantics (torch.optim.SGD
/// and torch.optim.Adam/AdamW); the scalar update is <see cref="OptimMath"/>, shared by both backends.
/// </summary>
public abstract partial class Backend
{
    /// <summary>One SGD step over n parameters; momentum may be null when hyper.Momentum is 0.</summary>
    public void SgdStep(DeviceBuffer<float> param, DeviceBuffer<float> grad, DeviceBuffer<float>? momentum, in SgdHyper hyper, int n)
    {
        CheckCount("SgdStep", n);
        CheckLength("SgdStep", "param", param, n); CheckLength("SgdStep", "grad", grad, n);
        if (hyper.Momentum != 0)
        {
            if (momentum is null) throw new ArgumentException("SgdStep: momentum buffer is required when momentum ≠ 0");
            CheckLength("SgdStep", "momentum", momentum, n);
        }
        using var profile = Profile(OpFamily.Optimizer, 0, 16.0 * n);
        if (n > 0) RunSgdStep(param, grad, hyper.Momentum != 0 ? momentum : null, hyper, n);
    }

    /// <summary>One Adam (L2 decay) or AdamW (decoupled decay) step over n parameters, as hyper.DecoupledDecay says.</summary>
    public void AdamStep(DeviceBuffer<float> param, DeviceBuffer<float> grad, DeviceBuffer<float> m, DeviceBuffer<float> v, in AdamHyper hyper, int n)
    {
        CheckCount("AdamStep", n);
        CheckLength("AdamStep", "param", param, n); CheckLength("AdamStep", "grad", grad, n);
        CheckLength("AdamStep", "m", m, n); CheckLength("AdamStep", "v", v, n);
        if (hyper.Step < 1) throw new ArgumentException($"AdamStep: step counts from 1, got {hyper.Step}");
        using var profile = Profile(OpFamily.Optimizer, 0, 28.0 * n);
        if (n > 0) RunAdamStep(param, grad, m, v, hyper, n);
    }

    protected abstract void RunSgdStep(DeviceBuffer<float> param, DeviceBuffer<float> grad, DeviceBuffer<float>? momentum, in SgdHyper hyper, int n);
    protected abstract void RunAdamStep(DeviceBuffer<float> param, DeviceBuffer<float> grad, DeviceBuffer<float> m, DeviceBuffer<float> v, in AdamHyper hyper, int n);
}
