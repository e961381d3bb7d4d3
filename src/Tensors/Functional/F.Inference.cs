using SparseCore.Kernels.Conv;

namespace SparseCore.Tensors;

/// <summary>
/// Inference-only fused ops: batch-norm folded into the conv before it and the block's tail (the
/// residual add and the ReLU) run in the conv's epilogue, as ONNX Runtime does. Nothing here is
/// recorded on a tape: a caller that needs gradients uses the unfused ops.
/// </summary>
public static partial class F
{
    /// <summary>
    /// y = relu?(conv(x, weight·weightScale) + bias + residual) in one kernel call (residual [N, Cout,
    /// OutH, OutW] or null; weightScale [Cout] multiplies each output channel's weights, or null).
    /// Refuses to run where a tape would want its gradient.
    /// </summary>
    public static Tensor Conv2dInference(Tensor x, Tensor weight, Tensor? bias, int stride, int padding, Tensor? residual, bool relu,
                                         Tensor? weightScale = null)
    {
        const string op = "Conv2dInference";
        if (Autograd.IsEnabled && (x.RequiresGrad || weight.RequiresGrad || bias?.RequiresGrad == true || residual?.RequiresGrad == true))
            throw new InvalidOperationException($"{op}: the fused inference conv records no gradient; run it under Autograd.NoGrad() or use the unfused ops");
        var shape = Conv2dShapeOf(x, weight, bias, stride, stride, padding, padding, op);
        if (weightScale is not null) CheckPerChannel(op, "weightScale", weight, weightScale, shape.Cout);
        var output = new Shape(shape.N, shape.Cout, shape.OutH, shape.OutW);
        if (residual is not null)
        {
            CheckSameBackend(op, x, residual);
            if (residual.Shape != output) throw TensorShapeException.Mismatch(op, output, residual.Shape, "the residual must have the conv output's shape");
        }
        var y = Tensor.Empty(x.Backend, output);
        x.Backend.Conv2dForward(shape, x.Buffer, weight.Buffer, bias?.Buffer, y.Buffer, new ConvEpilogue(residual?.Buffer, relu), weightScale?.Buffer);
        return y;
    }

    /// <summary>
    /// The shape <see cref="Conv2dInference"/> runs for an input of shape <paramref name="input"/> (so a
    /// caller can ask the backend about it first, as Backend.ScalesConvWeights), or the same shape
    /// error it would raise.
    /// </summary>
    public static Conv2dShape Conv2dInferenceShape(Shape input, Tensor weight, int stride, int padding) =>
        Conv2dShapeOf(input, weight, null, stride, stride, padding, padding, "Conv2dInference");

    /// <summary>
    /// y = relu?(conv(relu(conv(x, w1) + b1), w2) + b2 + residual): a basic block's two convs in one
    /// call, so a backend can keep the intermediate where the second conv reads it (the CPU hands the
    /// first conv's tiles straight to the second, Backend.Conv2dPairForward). Stride 1 for the
    /// second conv; the first's stride and padding as given. Weight scales as in <see cref="Conv2dInference"/>.
    /// </summary>
    public static Tensor Conv2dPairInference(Tensor x, Tensor w1, Tensor? b1, int stride1, int padding1, Tensor w2, Tensor? b2, int padding2,
                                             Tensor? residual, bool relu, Tensor? scale1 = null, Tensor? scale2 = null)
    {
        const string op = "Conv2dPairInference";
        if (Autograd.IsEnabled && (x.RequiresGrad || w1.RequiresGrad || b1?.RequiresGrad == true || w2.RequiresGrad || b2?.RequiresGrad == true
                                   || residual?.RequiresGrad == true))
            throw new InvalidOperationException($"{op}: the fused inference convs record no gradient; run them under Autograd.NoGrad() or use the unfused ops");
        var first = Conv2dShapeOf(x, w1, b1, stride1, stride1, padding1, padding1, op);
        CheckSameBackend(op, x, w2);
        if (b2 is not null) CheckSameBackend(op, x, b2);
        var second = Conv2dShapeOf(new Shape(first.N, first.Cout, first.OutH, first.OutW), w2, b2, 1, 1, padding2, padding2, op);
        if (scale1 is not null) CheckPerChannel(op, "scale1", w1, scale1, first.Cout);
        if (scale2 is not null) CheckPerChannel(op, "scale2", w2, scale2, second.Cout);
        var output = new Shape(second.N, second.Cout, second.OutH, second.OutW);
        if (residual is not null)
        {
            CheckSameBackend(op, x, residual);
            if (residual.Shape != output) throw TensorShapeException.Mismatch(op, output, residual.Shape, "the residual must have the second conv's output shape");
        }
        var y = Tensor.Empty(x.Backend, output);
        x.Backend.Conv2dPairForward(first, second, x.Buffer, w1.Buffer, b1?.Buffer, w2.Buffer, b2?.Buffer, y.Buffer, new ConvEpilogue(residual?.Buffer, relu),
                                    scale1?.Buffer, scale2?.Buffer);
        return y;
    }

    /// <summary>
    /// The conv weight and bias that compute bn(conv(x)) with batch-norm's running statistics:
    /// s = γ·rstd per output channel, w' = w·s, b' = (b − mean)·s + β (b = 0 without a conv bias), in
    /// one kernel (<see cref="Backend.FoldBatchNorm"/>) whose arithmetic is the evaluation-mode
    /// batch-norm kernel's. It runs on every inference forward of every folded conv, so it was worth
    /// one launch and two tensors instead of four launches and six tensors.
    /// </summary>
    public static (Tensor Weight, Tensor Bias) FoldBatchNorm(Tensor weight, Tensor? bias, Tensor gamma, Tensor beta,
                                                             Tensor runningMean, Tensor runningVar, float eps)
    {
        const string op = "FoldBatchNorm";
        if (weight.Rank != 4) throw new TensorShapeException(op, $"needs a conv weight [Cout, Cin, KH, KW], got {weight.Shape}");
        int channels = weight.Shape[0], perChannel = weight.Size / channels;
        if (bias is not null) CheckPerChannel(op, "bias", weight, bias, channels);
        CheckPerChannel(op, "gamma", weight, gamma, channels);
        CheckPerChannel(op, "beta", weight, beta, channels);
        CheckPerChannel(op, "runningMean", weight, runningMean, channels);
        CheckPerChannel(op, "runningVar", weight, runningVar, channels);
        var foldedWeight = Tensor.Empty(weight.Backend, weight.Shape);
        var foldedBias = Tensor.Empty(weight.Backend, new Shape(channels));
        weight.Backend.FoldBatchNorm(weight.Buffer, bias?.Buffer, gamma.Buffer, beta.Buffer, runningMean.Buffer, runningVar.Buffer,
            foldedWeight.Buffer, foldedBias.Buffer, channels, perChannel, eps);
        return (foldedWeight, foldedBias);
    }

    /// <summary>
    /// Batch-norm's fold without the weights: the per-channel scale s = γ·rstd and bias
    /// b' = (b − mean)·s + β, for a conv that scales its weights itself (<see cref="Conv2dInference"/>'s
    /// weightScale). The same kernel as <see cref="FoldBatchNorm"/> over a weight of ones, so s and b'
    /// are its floats exactly and w·s rounds as its folded weights do.
    /// </summary>
    public static (Tensor Scale, Tensor Bias) FoldBatchNormScale(Tensor? bias, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float eps)
    {
        const string op = "FoldBatchNormScale";
        if (gamma.Rank != 1) throw new TensorShapeException(op, $"needs gamma [C], got {gamma.Shape}");
        int channels = gamma.Shape[0];
        if (bias is not null) CheckPerChannel(op, "bias", gamma, bias, channels);
        CheckPerChannel(op, "beta", gamma, beta, channels);
        CheckPerChannel(op, "runningMean", gamma, runningMean, channels);
        CheckPerChannel(op, "runningVar", gamma, runningVar, channels);
        using var ones = Tensor.Full(gamma.Backend, new Shape(channels), 1f);
        var scale = Tensor.Empty(gamma.Backend, new Shape(channels));
        var foldedBias = Tensor.Empty(gamma.Backend, new Shape(channels));
        gamma.Backend.FoldBatchNorm(ones.Buffer, bias?.Buffer, gamma.Buffer, beta.Buffer, runningMean.Buffer, runningVar.Buffer,
            scale.Buffer, foldedBias.Buffer, channels, 1, eps);
        return (scale, foldedBias);
    }
}
