using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Pool;

namespace SparseCore.Kernels;

/// <summary>
/// 2-d max and average pooling over NCHW (see <see cref="Pool2dShape"/>). In the backward passes
/// each input element sums the outputs whose window covers it in increasing (oh, ow) order, with
/// no atomics (ILGPU gathers per input, the CPU scatters per plane), so overlapping windows give
/// deterministic, backend-identical sums.
/// </summary>
public abstract partial class Backend
{
    /// <summary>
    /// y = the maximum of each window, argmax = its index h·W + w within the input plane (the first
    /// maximum in row-major window order; NaN wins). Padding never wins: it is −∞, not 0.
    /// </summary>
    public void MaxPool2d(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> argmax, Pool2dShape shape)
    {
        shape.Validate("MaxPool2d");
        CheckLength("MaxPool2d", "x", x, shape.InputSize); CheckLength("MaxPool2d", "y", y, shape.OutputSize);
        CheckLength("MaxPool2d", "argmax", argmax, shape.OutputSize);
        using var profile = Profile(OpFamily.Pooling, 0, 4.0 * shape.InputSize + 8.0 * shape.OutputSize);
        RunMaxPool2d(x, y, argmax, shape);
    }

    /// <summary>dx[i] = Σ dy over the outputs whose argmax is i (0 for every other input).</summary>
    public void MaxPool2dBackward(DeviceBuffer<float> dy, DeviceBuffer<int> argmax, DeviceBuffer<float> dx, Pool2dShape shape)
    {
        shape.Validate("MaxPool2dBackward");
        CheckLength("MaxPool2dBackward", "dy", dy, shape.OutputSize); CheckLength("MaxPool2dBackward", "argmax", argmax, shape.OutputSize);
        CheckLength("MaxPool2dBackward", "dx", dx, shape.InputSize);
        using var profile = Profile(OpFamily.Pooling, 0, 4.0 * shape.InputSize + 8.0 * shape.OutputSize);
        RunMaxPool2dBackward(dy, argmax, dx, shape);
    }

    /// <summary>y = the window sum / Kernel² (padding counts as zeros: PyTorch's count_include_pad=True).</summary>
    public void AvgPool2d(DeviceBuffer<float> x, DeviceBuffer<float> y, Pool2dShape shape)
    {
        shape.Validate("AvgPool2d");
        CheckLength("AvgPool2d", "x", x, shape.InputSize); CheckLength("AvgPool2d", "y", y, shape.OutputSize);
        using var profile = Profile(OpFamily.Pooling, 0, 4.0 * (shape.InputSize + shape.OutputSize));
        RunAvgPool2d(x, y, shape);
    }

    /// <summary>dx[i] = Σ dy / Kernel² over the outputs whose window covers i.</summary>
    public void AvgPool2dBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, Pool2dShape shape)
    {
        shape.Validate("AvgPool2dBackward");
        CheckLength("AvgPool2dBackward", "dy", dy, shape.OutputSize); CheckLength("AvgPool2dBackward", "dx", dx, shape.InputSize);
        using var profile = Profile(OpFamily.Pooling, 0, 4.0 * (shape.InputSize + shape.OutputSize));
        RunAvgPool2dBackward(dy, dx, shape);
    }

    protected abstract void RunMaxPool2d(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> argmax, Pool2dShape shape);
    protected abstract void RunMaxPool2dBackward(DeviceBuffer<float> dy, DeviceBuffer<int> argmax, DeviceBuffer<float> dx, Pool2dShape shape);
    protected abstract void RunAvgPool2d(DeviceBuffer<float> x, DeviceBuffer<float> y, Pool2dShape shape);
    protected abstract void RunAvgPool2dBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, Pool2dShape shape);
}
