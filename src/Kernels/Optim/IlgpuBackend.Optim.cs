using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Optim;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches the optimizer kernels of <see cref="IlgpuOptimKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float, float, float, int, int> sgdKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, float, float, float, float, float, float, float, float> adamKernel = null!;

    private void LoadOptim()
    {
        sgdKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float, float, float, int, int>>(IlgpuKernelRegistry.SgdStep);
        adamKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, float, float, float, float, float, float, float, float>>(IlgpuKernelRegistry.AdamStep);
    }

    protected override void RunSgdStep(DeviceBuffer<float> param, DeviceBuffer<float> grad, DeviceBuffer<float>? momentum, in SgdHyper hyper, int n)
    {
        var p = View(param);
        sgdKernel(stream, FlatThreads(n), p, View(grad), momentum is null ? p : View(momentum), n, momentum is null ? 0 : 1,
            hyper.Lr, hyper.Momentum, hyper.Dampening, hyper.WeightDecay, hyper.Nesterov ? 1 : 0, hyper.FirstStep ? 1 : 0);
    }

    protected override void RunAdamStep(DeviceBuffer<float> param, DeviceBuffer<float> grad, DeviceBuffer<float> m, DeviceBuffer<float> v, in AdamHyper hyper, int n)
        => adamKernel(stream, FlatThreads(n), View(param), View(grad), View(m), View(v), n,
            (float)hyper.Beta1, hyper.OneMinusBeta1, (float)hyper.Beta2, hyper.OneMinusBeta2, hyper.Eps,
            hyper.GradientDecay, hyper.ParamScale, hyper.StepSize, hyper.BiasCorrection2Sqrt);
}
