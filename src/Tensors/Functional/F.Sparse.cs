using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Sparse;

namespace SparseCore.Tensors;

/// <summary>
/// Inference through an unstructured-pruned layer stored sparse: <see cref="ToSparseWeight"/>
/// compresses the (masked) dense weight once, and <see cref="SparseConv2d"/> / <see cref="SparseLinear"/>
/// compute what <see cref="Conv2d(Tensor, Tensor, Tensor?, int, int)"/> / <see cref="Linear"/> compute
/// on it while skipping its zeros. There is no backward: these ops record nothing, and where a tape
/// would need them (an input that requires grad, outside <see cref="Autograd.NoGrad"/>) they refuse
/// rather than return a result the gradient silently stops at.
/// </summary>
public static partial class F
{
    /// <summary>
    /// The nonzeros of a conv weight [Cout, Cin, KH, KW] or a linear weight [out, in], read to the
    /// host once and uploaded in compressed rows on the weight's backend. The caller owns (and
    /// disposes) the result; it does not follow later changes to the tensor.
    /// </summary>
    public static SparseWeight ToSparseWeight(Tensor weight)
    {
        const string op = "ToSparseWeight";
        var s = weight.Shape;
        return weight.Rank switch
        {
            4 => SparseWeight.FromConv(weight.Backend, weight.ToArray(), s[0], s[1], s[2], s[3], op),
            2 => SparseWeight.FromLinear(weight.Backend, weight.ToArray(), s[0], s[1], op),
            _ => throw new TensorShapeException(op, $"weight {s} is neither a conv weight [Cout, Cin, KH, KW] nor a linear weight [out, in]"),
        };
    }

    /// <summary>
    /// conv2d of x [N, Cin, H, W] with a sparse conv weight and optional bias [Cout], the same stride
    /// and zero padding on both axes: [N, Cout, OutH, OutW], as <c>Conv2d</c> gives on the dense weight.
    /// </summary>
    public static Tensor SparseConv2d(Tensor x, SparseWeight weight, Tensor? bias, int stride = 1, int padding = 0)
    {
        const string op = "SparseConv2d";
        CheckSparseOperands(op, x, weight, bias);
        if (weight.IsLinear)
            throw new TensorShapeException(op, $"the sparse weight {weight.Shape} is a linear weight; a conv needs [Cout, Cin, KH, KW]");
        if (x.Rank != 4)
            throw new TensorShapeException(op, $"x must be [N, Cin, H, W], got {x.Shape}");
        if (x.Shape[1] != weight.InChannels)
            throw new TensorShapeException(op, $"the sparse weight {weight.Shape} has {weight.InChannels} input channels but x {x.Shape} has {x.Shape[1]}");
        if (stride < 1) throw new TensorShapeException(op, $"stride {stride} must be ≥ 1");
        if (padding < 0) throw new TensorShapeException(op, $"padding {padding} must be ≥ 0");
        if (x.Shape[2] + 2 * padding < weight.KernelH || x.Shape[3] + 2 * padding < weight.KernelW)
            throw new TensorShapeException(op, $"the {weight.KernelH}×{weight.KernelW} kernel does not fit x {x.Shape} padded by {padding}");
        var shape = new Conv2dShape(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], weight.OutChannels, weight.KernelH, weight.KernelW,
                                    stride, stride, padding, padding);
        var y = Tensor.Empty(x.Backend, new Shape(shape.N, shape.Cout, shape.OutH, shape.OutW));
        x.Backend.SparseConv2dForward(shape, x.Buffer, weight, bias?.Buffer, y.Buffer);
        return y;
    }

    /// <summary>x·Wᵀ + bias for x [N, in] and a sparse linear weight W [out, in]: [N, out], as <c>Linear</c> gives on the dense weight.</summary>
    public static Tensor SparseLinear(Tensor x, SparseWeight weight, Tensor? bias)
    {
        const string op = "SparseLinear";
        CheckSparseOperands(op, x, weight, bias);
        if (!weight.IsLinear)
            throw new TensorShapeException(op, $"the sparse weight {weight.Shape} is a conv weight; a linear layer needs [out, in]");
        if (x.Rank != 2 || x.Shape[1] != weight.InChannels)
            throw new TensorShapeException(op, $"x must be [N, {weight.InChannels}] for the sparse weight {weight.Shape}, got {x.Shape}");
        var y = Tensor.Empty(x.Backend, new Shape(x.Shape[0], weight.OutChannels));
        x.Backend.SparseLinearForward(x.Buffer, weight, bias?.Buffer, y.Buffer, x.Shape[0]);
        return y;
    }

    private static void CheckSparseOperands(string op, Tensor x, SparseWeight weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (!ReferenceEquals(x.Backend, weight.Backend))
            throw new ArgumentException($"{op}: x lives on {x.Backend.Name}, the sparse weight on {weight.Backend.Name} (another backend instance)");
        if (bias is not null)
        {
            CheckSameBackend(op, x, bias);
            if (bias.Rank != 1 || bias.Shape[0] != weight.OutChannels)
                throw new TensorShapeException(op, $"bias must be [{weight.OutChannels}], one per output channel of {weight.Shape}, got {bias.Shape}");
        }
        if (Autograd.IsEnabled && (x.RequiresGrad || bias?.RequiresGrad == true))
            throw new InvalidOperationException(
                $"{op} is inference-only and records no backward, but {(x.RequiresGrad ? "x" : "the bias")} requires grad: run it under Autograd.NoGrad(), or train through the dense layer");
    }
}
