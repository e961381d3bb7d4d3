using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>The conv2d contract (Conv/): NCHW, groups 1, dilation 1; see <see cref="Conv2dShape"/>.</summary>
public abstract partial class Backend
{
    /// <summary>
    /// y = conv(x, w) (+ bias[co] on every output of channel co), then the <paramref name="epilogue"/>:
    /// + residual (same shape as y, not y itself) and ReLU. y is written, never read.
    /// </summary>
    public void Conv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float>? bias, DeviceBuffer<float> y,
                              in ConvEpilogue epilogue = default)
    {
        const string op = "Conv2dForward";
        shape.Validate(op);
        CheckLength(op, "x", x, shape.XLength); CheckLength(op, "w", w, shape.WeightLength);
        if (bias is not null) CheckLength(op, "bias", bias, shape.Cout);
        CheckLength(op, "y", y, shape.YLength);
        if (epilogue.Residual is { } residual)
        {
            CheckLength(op, "residual", residual, shape.YLength);
            if (ReferenceEquals(residual.Storage, y.Storage)) throw new ArgumentException($"{op}: the residual must not be the output buffer y");
        }
        double epilogueBytes = epilogue.IsNone ? 0 : 4.0 * shape.YLength * (epilogue.Residual is null ? 1 : 2);
        using var profile = Profile(OpFamily.ConvForward, shape.Flops, 4.0 * (shape.XLength + shape.WeightLength + shape.YLength) + epilogueBytes);
        RunConv2dForward(shape, x, w, bias, y, epilogue);
    }

    /// <summary>dx = ∂L/∂x from dy = ∂L/∂y (dx written, not accumulated).</summary>
    public void Conv2dBackwardData(in Conv2dShape shape, DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx)
    {
        const string op = "Conv2dBackwardData";
        shape.Validate(op);
        CheckLength(op, "dy", dy, shape.YLength); CheckLength(op, "w", w, shape.WeightLength);
        CheckLength(op, "dx", dx, shape.XLength);
        using var profile = Profile(OpFamily.ConvBackwardData, shape.Flops, 4.0 * (shape.XLength + shape.WeightLength + shape.YLength));
        RunConv2dBackwardData(shape, dy, w, dx);
    }

    /// <summary>
    /// dw = ∂L/∂w and, when given, dbias = ∂L/∂bias = Σ over images and pixels of dy (both written,
    /// not accumulated), each summed over the batch in a fixed order: bit-identical run after run.
    /// </summary>
    public void Conv2dBackwardWeights(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float>? dbias)
    {
        const string op = "Conv2dBackwardWeights";
        shape.Validate(op);
        CheckLength(op, "x", x, shape.XLength); CheckLength(op, "dy", dy, shape.YLength);
        CheckLength(op, "dw", dw, shape.WeightLength);
        if (dbias is not null) CheckLength(op, "dbias", dbias, shape.Cout);
        using var profile = Profile(OpFamily.ConvBackwardWeights, shape.Flops, 4.0 * (shape.XLength + shape.WeightLength + shape.YLength));
        RunConv2dBackwardWeights(shape, x, dy, dw, dbias);
    }

    protected abstract void RunConv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float>? bias, DeviceBuffer<float> y,
                                             in ConvEpilogue epilogue);
    protected abstract void RunConv2dBackwardData(in Conv2dShape shape, DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx);
    protected abstract void RunConv2dBackwardWeights(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float>? dbias);
}
