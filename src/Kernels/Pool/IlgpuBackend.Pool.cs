using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Pool;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches the pooling kernels of <see cref="IlgpuPoolKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, Pool2dShape, int> maxPool2dKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, Pool2dShape, int> maxPool2dBackwardKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, Pool2dShape, int> avgPool2dKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, Pool2dShape, int> avgPool2dBackwardKernel = null!;

    private void LoadPool()
    {
        maxPool2dKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, Pool2dShape, int>>(IlgpuKernelRegistry.MaxPool2d);
        maxPool2dBackwardKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, Pool2dShape, int>>(IlgpuKernelRegistry.MaxPool2dBackward);
        avgPool2dKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, Pool2dShape, int>>(IlgpuKernelRegistry.AvgPool2d);
        avgPool2dBackwardKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, Pool2dShape, int>>(IlgpuKernelRegistry.AvgPool2dBackward);
    }

    protected override void RunMaxPool2d(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> argmax, Pool2dShape shape)
    {
        int n = (int)shape.OutputSize;
        maxPool2dKernel(stream, FlatThreads(n), View(x), View(y), View(argmax), shape, n);
    }

    protected override void RunMaxPool2dBackward(DeviceBuffer<float> dy, DeviceBuffer<int> argmax, DeviceBuffer<float> dx, Pool2dShape shape)
    {
        int n = (int)shape.InputSize;
        maxPool2dBackwardKernel(stream, FlatThreads(n), View(dy), View(argmax), View(dx), shape, n);
    }

    protected override void RunAvgPool2d(DeviceBuffer<float> x, DeviceBuffer<float> y, Pool2dShape shape)
    {
        int n = (int)shape.OutputSize;
        avgPool2dKernel(stream, FlatThreads(n), View(x), View(y), shape, n);
    }

    protected override void RunAvgPool2dBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, Pool2dShape shape)
    {
        int n = (int)shape.InputSize;
        avgPool2dBackwardKernel(stream, FlatThreads(n), View(dy), View(dx), shape, n);
    }
}
