using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches the softmax and cross-entropy kernels of <see cref="IlgpuSoftmaxKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int> softmaxKernel = null!;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> softmaxBackwardKernel = null!;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, float> crossEntropyKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, float> crossEntropyBackwardKernel = null!;

    private void LoadSoftmax()
    {
        softmaxKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int>>(IlgpuKernelRegistry.Softmax);
        softmaxBackwardKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>>(IlgpuKernelRegistry.SoftmaxBackward);
        crossEntropyKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, float>>(IlgpuKernelRegistry.CrossEntropy);
        crossEntropyBackwardKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, float>>(IlgpuKernelRegistry.CrossEntropyBackward);
    }

    protected override void RunSoftmax(DeviceBuffer<float> x, DeviceBuffer<float> y, int rows, int cols, bool log)
        => softmaxKernel(stream, new KernelConfig(rows, RowGroupSize(cols)), View(x), View(y), cols, log ? 1 : 0);

    protected override void RunSoftmaxBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int rows, int cols, bool log)
        => softmaxBackwardKernel(stream, new KernelConfig(rows, RowGroupSize(cols)), View(y), View(dy), View(dx), cols, log ? 1 : 0);

    protected override void RunCrossEntropy(DeviceBuffer<float> logits, DeviceBuffer<int> labels, DeviceBuffer<float> logProbs,
                                            DeviceBuffer<float> loss, int rows, int cols, float smoothing)
        => crossEntropyKernel(stream, new KernelConfig(rows, RowGroupSize(cols)), View(logits), View(labels), View(logProbs), View(loss), cols, smoothing);

    protected override void RunCrossEntropyBackward(DeviceBuffer<float> logProbs, DeviceBuffer<int> labels, DeviceBuffer<float> dloss,
                                                    DeviceBuffer<float> dlogits, int rows, int cols, float smoothing)
    {
        int n = rows * cols;
        crossEntropyBackwardKernel(stream, FlatThreads(n), View(logProbs), View(labels), View(dloss), View(dlogits), n, cols, smoothing);
    }
}
