using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Norm;

namespace SparseCore.Tensors;

/// <summary>
/// Inference-only fused ops: batch-norm folded into the conv before it and the block's tail (the
/// residual add and the ReLU) run in the conv's epilogue, as ONNX Runtime does. Nothing here is
/// recorded on a tape: a caller that needs gradients uses the unfused ops.
/// </summary>
public static partial class F
{
    /// <summary>
    /// y = relu?(conv(x, weight) + bias + residual) in one kernel call (residual [N, Cout, OutH, OutW]
    /// or null). Refuses to run where a tape would want its gradient.
    /// </summary>
    public static Tensor Conv2dInference(Tensor x, Tensor weight, Tensor? bias, int stride, int padding, Tensor? residual, bool relu)
    {
        const string op = "Conv2dInference";
        if (Autograd.IsEnabled && (x.RequiresGrad || weight.RequiresGrad || bias?.RequiresGrad == true || residual?.RequiresGrad == true))
            throw new InvalidOperationException($"{op}: the fused inference conv records no gradient; run it under Autograd.NoGrad() or use the unfused ops");
        var shape = Conv2dShapeOf(x, weight, bias, stride, stride, padding, padding, op);
        var output = new Shape(shape.N, shape.Cout, shape.OutH, shape.OutW);
        if (residual is not null)
        {
            CheckSameBackend(op, x, residual);
            if (residual.Shape != output) throw TensorShapeException.Mismatch(op, output, residual.Shape, "the residual must have the conv output's shape");
        }
        var y = Tensor.Empty(x.Backend, output);
        x.Backend.Conv2dForward(shape, x.Buffer, weight.Buffer, bias?.Buffer, y.Buffer, new ConvEpilogue(residual?.Buffer, relu));
        return y;
    }

    /// <summary>
    /// The conv weight and bias that compute bn(conv(x)) with batch-norm's running statistics:
    /// s = γ·rstd per output channel, w' = w·s, b' = (b − mean)·s + β (b = 0 without a conv bias).
    /// b' and rstd come from the batch-norm kernel itself in evaluation mode, run on the conv bias as
    /// a [1, C, 1, 1] input, so the fold uses exactly the kernel's rstd; everything stays on the device.
    /// </summary>
    public static (Tensor Weight, Tensor Bias) FoldBatchNorm(Tensor weight, Tensor? bias, Tensor gamma, Tensor beta,
                                                             Tensor runningMean, Tensor runningVar, float eps)
    {
        const string op = "FoldBatchNorm";
        if (weight.Rank != 4) throw new TensorShapeException(op, $"needs a conv weight [Cout, Cin, KH, KW], got {weight.Shape}");
        int channels = weight.Shape[0], perChannel = weight.Size / channels;
        var backend = weight.Backend;
        using var input = bias is null ? Tensor.Zeros(backend, new Shape(1, channels, 1, 1)) : null;
        var x = input ?? bias!;
        CheckPerChannel(op, "gamma", weight, gamma, channels);
        CheckPerChannel(op, "beta", weight, beta, channels);
        CheckPerChannel(op, "runningMean", weight, runningMean, channels);
        CheckPerChannel(op, "runningVar", weight, runningVar, channels);
        var foldedBias = Tensor.Empty(backend, new Shape(channels));
        using var mean = Tensor.Empty(backend, new Shape(channels));
        using var rstd = Tensor.Empty(backend, new Shape(channels));
        backend.BatchNorm2d(x.Buffer, gamma.Buffer, beta.Buffer, runningMean.Buffer, runningVar.Buffer, foldedBias.Buffer,
            mean.Buffer, rstd.Buffer, new BatchNormShape(1, channels, 1), training: false, momentum: 0f, eps);
        using var scale = Tensor.Empty(backend, new Shape(channels));
        backend.Binary(BinaryOp.Mul, rstd.Buffer, gamma.Buffer, scale.Buffer, Broadcast.Same(channels));
        var foldedWeight = Tensor.Empty(backend, weight.Shape);
        backend.Binary(BinaryOp.Mul, weight.Buffer, scale.Buffer, foldedWeight.Buffer, new Broadcast(1, channels, perChannel));
        return (foldedWeight, foldedBias);
    }
}
