using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>The conv2d contract (Conv/): NCHW, groups 1, dilation 1; see <see cref="Conv2dShape"/>.</summary>
public abstract partial class Backend
{
    /// <summary>
    /// y = conv(x, w) (+ bias[co] on every output of channel co), then the <paramref name="epilogue"/>:
    /// + residual (same shape as y, not y itself) and ReLU. y is written, never read. With a
    /// <paramref name="weightScale"/> [Cout] the conv's weights are w[co, …]·weightScale[co], each
    /// product rounded once — a batch-norm folded in without a folded copy of w (see
    /// <see cref="RunConv2dForwardScaled"/>).
    /// </summary>
    public void Conv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float>? bias, DeviceBuffer<float> y,
                              in ConvEpilogue epilogue = default, DeviceBuffer<float>? weightScale = null)
    {
        const string op = "Conv2dForward";
        shape.Validate(op);
        CheckLength(op, "x", x, shape.XLength); CheckLength(op, "w", w, shape.WeightLength);
        if (bias is not null) CheckLength(op, "bias", bias, shape.Cout);
        if (weightScale is not null) CheckLength(op, "weightScale", weightScale, shape.Cout);
        CheckLength(op, "y", y, shape.YLength);
        if (epilogue.Residual is { } residual)
        {
            CheckLength(op, "residual", residual, shape.YLength);
            if (ReferenceEquals(residual.Storage, y.Storage)) throw new ArgumentException($"{op}: the residual must not be the output buffer y");
        }
        double epilogueBytes = epilogue.IsNone ? 0 : 4.0 * shape.YLength * (epilogue.Residual is null ? 1 : 2);
        using var profile = Profile(OpFamily.ConvForward, shape.Flops, 4.0 * (shape.XLength + shape.WeightLength + shape.YLength) + epilogueBytes);
        if (weightScale is null) RunConv2dForward(shape, x, w, bias, y, epilogue);
        else RunConv2dForwardScaled(shape, x, w, weightScale, bias, y, epilogue);
    }

    /// <summary>
    /// Whether <see cref="Conv2dForward"/> with a weight scale applies it as it reads the weights for
    /// this shape, rather than through a scaled copy: a caller holding folded weights anyway (or able
    /// to make them in the one pass the copy would cost) should pass those where this is false.
    /// </summary>
    public virtual bool ScalesConvWeights(in Conv2dShape shape) => false;

    /// <summary>
    /// The conv with weights w[co, …]·scale[co]. By default a scaled copy of w (<see cref="Binary"/>'s
    /// product, the same rounding as <see cref="FoldBatchNorm"/>'s) and the plain conv; a backend whose
    /// conv packs its weights anyway scales them on the way (the CPU's lane form), which saves a write
    /// and a read of every weight — at inference, where every forward folds every batch-norm, the
    /// weights are most of the memory traffic of a small batch.
    /// </summary>
    protected virtual void RunConv2dForwardScaled(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> scale,
                                                  DeviceBuffer<float>? bias, DeviceBuffer<float> y, in ConvEpilogue epilogue)
    {
        using var scaled = ScaledWeights(shape, w, scale);
        RunConv2dForward(shape, x, scaled, bias, y, epilogue);
    }

    /// <summary>w[co, …]·scale[co] in a new buffer.</summary>
    protected DeviceBuffer<float> ScaledWeights(in Conv2dShape shape, DeviceBuffer<float> w, DeviceBuffer<float> scale)
    {
        var scaled = Allocate<float>(checked((int)shape.WeightLength));
        RunBinary(BinaryOp.Mul, w, scale, scaled, new Broadcast(1, shape.Cout, shape.PatchSize));
        return scaled;
    }

    /// <summary>
    /// Two convs in a row, the first with its ReLU: y = epilogue(conv(relu(conv(x, w1) + b1), w2) + b2),
    /// a ResNet basic block's body at inference (batch-norms folded, the block input as the residual).
    /// The intermediate is never handed out, so a backend may keep it where the second conv wants it;
    /// by default it is one more buffer and the two convs run one after the other. Scales as in
    /// <see cref="Conv2dForward"/>, one per conv.
    /// </summary>
    public void Conv2dPairForward(in Conv2dShape first, in Conv2dShape second, DeviceBuffer<float> x, DeviceBuffer<float> w1, DeviceBuffer<float>? b1,
                                  DeviceBuffer<float> w2, DeviceBuffer<float>? b2, DeviceBuffer<float> y, in ConvEpilogue epilogue = default,
                                  DeviceBuffer<float>? scale1 = null, DeviceBuffer<float>? scale2 = null)
    {
        const string op = "Conv2dPairForward";
        first.Validate(op);
        second.Validate(op);
        if (second.N != first.N || second.Cin != first.Cout || second.H != first.OutH || second.W != first.OutW)
            throw new ArgumentException($"{op}: the second conv's input [{second.N}, {second.Cin}, {second.H}, {second.W}] is not the first conv's output [{first.N}, {first.Cout}, {first.OutH}, {first.OutW}]");
        CheckLength(op, "x", x, first.XLength); CheckLength(op, "w1", w1, first.WeightLength); CheckLength(op, "w2", w2, second.WeightLength);
        if (b1 is not null) CheckLength(op, "b1", b1, first.Cout);
        if (b2 is not null) CheckLength(op, "b2", b2, second.Cout);
        if (scale1 is not null) CheckLength(op, "scale1", scale1, first.Cout);
        if (scale2 is not null) CheckLength(op, "scale2", scale2, second.Cout);
        CheckLength(op, "y", y, second.YLength);
        if (ReferenceEquals(x.Storage, y.Storage)) throw new ArgumentException($"{op}: the input x must not be the output buffer y");
        if (epilogue.Residual is { } residual)
        {
            CheckLength(op, "residual", residual, second.YLength);
            if (ReferenceEquals(residual.Storage, y.Storage)) throw new ArgumentException($"{op}: the residual must not be the output buffer y");
        }
        double epilogueBytes = epilogue.IsNone ? 0 : 4.0 * second.YLength * (epilogue.Residual is null ? 1 : 2);
        using var profile = Profile(OpFamily.ConvForward, first.Flops + second.Flops,
                                    4.0 * (first.XLength + first.WeightLength + second.WeightLength + second.YLength) + epilogueBytes);
        RunConv2dPairForward(first, second, x, w1, b1, w2, b2, y, epilogue, scale1, scale2);
    }

    /// <summary>The two convs one after the other through a buffer of the first one's output.</summary>
    protected virtual void RunConv2dPairForward(in Conv2dShape first, in Conv2dShape second, DeviceBuffer<float> x, DeviceBuffer<float> w1, DeviceBuffer<float>? b1,
                                                DeviceBuffer<float> w2, DeviceBuffer<float>? b2, DeviceBuffer<float> y, in ConvEpilogue epilogue,
                                                DeviceBuffer<float>? scale1, DeviceBuffer<float>? scale2)
    {
        using var mid = Allocate<float>(checked((int)first.YLength));
        var relu = new ConvEpilogue(null, Relu: true);
        if (scale1 is null) RunConv2dForward(first, x, w1, b1, mid, relu);
        else RunConv2dForwardScaled(first, x, w1, scale1, b1, mid, relu);
        if (scale2 is null) RunConv2dForward(second, mid, w2, b2, y, epilogue);
        else RunConv2dForwardScaled(second, mid, w2, scale2, b2, y, epilogue);
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
