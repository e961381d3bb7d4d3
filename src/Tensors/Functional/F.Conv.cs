using SparseCore.Kernels.Conv;

namespace SparseCore.Tensors;

public static partial class F
{
    /// <summary>
    /// 2-D convolution, NCHW: x [N, Cin, H, W], weight [Cout, Cin, KH, KW] (KH, KW ≤ 7), optional
    /// bias [Cout]; the same stride and zero padding on both axes. Groups 1, dilation 1.
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, int padding = 0) =>
        Conv2d(x, weight, bias, stride, stride, padding, padding);

    /// <summary>2-D convolution with separate vertical and horizontal stride and padding.</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int strideH, int strideW, int padH, int padW)
    {
        const string op = "Conv2d";
        var shape = Conv2dShapeOf(x, weight, bias, strideH, strideW, padH, padW);
        var y = Tensor.Empty(x.Backend, new Shape(shape.N, shape.Cout, shape.OutH, shape.OutW));
        x.Backend.Conv2dForward(shape, x.Buffer, weight.Buffer, bias?.Buffer, y.Buffer);
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        Autograd.Record(op, y, inputs, (g, needs) =>
        {
            Tensor? dx = null, dw = null, db = null;
            if (needs[0])
            {
                dx = Tensor.Empty(x.Backend, x.Shape);
                x.Backend.Conv2dBackwardData(shape, g.Buffer, weight.Buffer, dx.Buffer);
            }
            bool needsBias = bias is not null && needs[2];
            if (needs[1] || needsBias)
            {
                // One pass writes both; a gradient nobody asked for is released by the tape.
                dw = Tensor.Empty(weight.Backend, weight.Shape);
                db = needsBias ? Tensor.Empty(bias!.Backend, bias.Shape) : null;
                x.Backend.Conv2dBackwardWeights(shape, x.Buffer, g.Buffer, dw.Buffer, db?.Buffer);
            }
            return bias is null ? [dx, dw] : [dx, dw, db];
        });
        return y;
    }

    /// <summary>The conv's shape from its operands, or a shape error naming <paramref name="op"/>.</summary>
    private static Conv2dShape Conv2dShapeOf(Tensor x, Tensor weight, Tensor? bias, int strideH, int strideW, int padH, int padW, string op = "Conv2d")
    {
        CheckSameBackend(op, x, weight);
        if (bias is not null) CheckSameBackend(op, x, bias);
        return Conv2dShapeOf(x.Shape, weight, bias, strideH, strideW, padH, padW, op);
    }

    /// <summary>The same from the input's shape alone (an intermediate no tensor holds, as in a conv pair).</summary>
    private static Conv2dShape Conv2dShapeOf(Shape xShape, Tensor weight, Tensor? bias, int strideH, int strideW, int padH, int padW, string op)
    {
        if (xShape.Rank != 4 || weight.Rank != 4)
            throw TensorShapeException.Mismatch(op, xShape, weight.Shape, "needs x [N, Cin, H, W] and weight [Cout, Cin, KH, KW]");
        if (weight.Shape[1] != xShape[1])
            throw TensorShapeException.Mismatch(op, xShape, weight.Shape,
                $"weight has {weight.Shape[1]} input channels but x has {xShape[1]} channels");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
            throw TensorShapeException.Mismatch(op, weight.Shape, bias.Shape, $"bias must be [{weight.Shape[0]}], one per output channel");
        if (strideH < 1 || strideW < 1)
            throw new TensorShapeException(op, $"stride ({strideH}, {strideW}) must be ≥ 1");
        if (padH < 0 || padW < 0)
            throw new TensorShapeException(op, $"padding ({padH}, {padW}) must be ≥ 0");
        int kh = weight.Shape[2], kw = weight.Shape[3];
        if (kh < 1 || kw < 1 || kh > Conv2dShape.MaxKernel || kw > Conv2dShape.MaxKernel)
            throw new TensorShapeException(op, $"kernel {kh}×{kw} of weight {weight.Shape} is outside 1×1 … {Conv2dShape.MaxKernel}×{Conv2dShape.MaxKernel}");
        if (xShape[2] + 2 * padH < kh || xShape[3] + 2 * padW < kw)
            throw TensorShapeException.Mismatch(op, xShape, weight.Shape,
                $"the {kh}×{kw} kernel does not fit the {xShape[2]}×{xShape[3]} input padded by ({padH}, {padW})");
        if (xShape[0] < 1 || xShape[1] < 1 || xShape[2] < 1 || xShape[3] < 1 || weight.Shape[0] < 1)
            throw TensorShapeException.Mismatch(op, xShape, weight.Shape, "every extent must be ≥ 1");
        return new Conv2dShape(xShape[0], xShape[1], xShape[2], xShape[3], weight.Shape[0], kh, kw, strideH, strideW, padH, padW);
    }
}
