using SparseCore.Kernels.Masked;

namespace SparseCore.Tensors;

/// <summary>
/// Masked-channel ops: gather/scatter of channels through a validated <see cref="ChannelSelection"/>
/// (each the other's backward), the weight mask W ⊙ (m_out ⊗ m_in) with gradients to W and both
/// masks, and the activation channel mask PASS trains through. A selection captured by a recorded
/// op must stay undisposed until the backward has run.
/// </summary>
public static partial class F
{
    /// <summary>
    /// x with its <paramref name="axis"/> narrowed to the selection's channels, in the selection's
    /// order: an activation [N, C, H, W] along axis 1, or a weight [Cout, Cin, KH, KW] along axis 0
    /// (output channels) or 1 (input channels).
    /// </summary>
    public static Tensor GatherChannels(Tensor x, ChannelSelection selection, int axis = 1)
    {
        const string op = "GatherChannels";
        var (k, outer, inner) = SelectionAxis(op, x, selection, axis);
        if (x.Shape[k] != selection.Width)
            throw new TensorShapeException(op, $"x {x.Shape} has {x.Shape[k]} channels on axis {k}, the selection is out of {selection.Width}");
        var y = Tensor.Empty(x.Backend, WithExtent(x.Shape, k, selection.Count));
        x.Backend.GatherChannels(x.Buffer, selection, y.Buffer, outer, inner);
        Autograd.Record(op, y, [x], (g, _) =>
        {
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.ScatterChannels(g.Buffer, selection, dx.Buffer, outer, inner, zeroOthers: true);
            return [dx];
        });
        return y;
    }

    /// <summary>
    /// The inverse placement: y's <paramref name="axis"/> holds the selection's channels; the result
    /// has <paramref name="fullWidth"/> channels there, zeros on the dropped ones.
    /// </summary>
    public static Tensor ScatterChannels(Tensor y, ChannelSelection selection, int fullWidth, int axis = 1)
    {
        const string op = "ScatterChannels";
        var (k, outer, inner) = SelectionAxis(op, y, selection, axis);
        if (fullWidth != selection.Width)
            throw new TensorShapeException(op, $"full width {fullWidth} differs from the selection's width {selection.Width}");
        if (y.Shape[k] != selection.Count)
            throw new TensorShapeException(op, $"y {y.Shape} has {y.Shape[k]} channels on axis {k}, the selection keeps {selection.Count}");
        var x = Tensor.Empty(y.Backend, WithExtent(y.Shape, k, fullWidth));
        y.Backend.ScatterChannels(y.Buffer, selection, x.Buffer, outer, inner, zeroOthers: true);
        Autograd.Record(op, x, [y], (g, _) =>
        {
            var dy = Tensor.Empty(y.Backend, y.Shape);
            y.Backend.GatherChannels(g.Buffer, selection, dy.Buffer, outer, inner);
            return [dy];
        });
        return x;
    }

    /// <summary>
    /// Ŵ = W ⊙ (m_out ⊗ m_in) for W [Cout, Cin, KH, KW] or a linear's [Out, In], with m_out [Cout]
    /// and m_in [Cin]; <paramref name="mIn"/> null means no input mask (a linear's input, the stem's
    /// image channels). Gradients flow to W and to both masks.
    /// </summary>
    public static Tensor MaskWeight(Tensor w, Tensor mOut, Tensor? mIn)
    {
        const string op = "MaskWeight";
        if (w.Rank is not (2 or 4))
            throw new TensorShapeException(op, $"weight must be [out, in] or [out, in, kh, kw], got {w.Shape}");
        CheckSameBackend(op, w, mOut);
        CheckChannelMask(op, w.Shape, 0, mOut.Shape, "output-channel");
        if (mIn is not null)
        {
            CheckSameBackend(op, w, mIn);
            CheckChannelMask(op, w.Shape, 1, mIn.Shape, "input-channel");
        }
        int cout = w.Shape[0], cin = w.Shape[1], area = w.Shape.Product(2, w.Rank);
        var y = Tensor.Empty(w.Backend, w.Shape);
        w.Backend.MaskWeight(w.Buffer, mOut.Buffer, mIn?.Buffer, y.Buffer, cout, cin, area);
        Tensor[] inputs = mIn is null ? [w, mOut] : [w, mOut, mIn];
        Autograd.Record(op, y, inputs, (g, needs) =>
        {
            var dw = needs[0] ? Tensor.Empty(w.Backend, w.Shape) : null;
            var dmOut = needs[1] ? Tensor.Empty(w.Backend, mOut.Shape) : null;
            var dmIn = mIn is not null && needs[2] ? Tensor.Empty(w.Backend, mIn.Shape) : null;
            w.Backend.MaskWeightBackward(w.Buffer, mOut.Buffer, mIn?.Buffer, g.Buffer, dw?.Buffer, dmOut?.Buffer, dmIn?.Buffer, cout, cin, area);
            return mIn is null ? [dw, dmOut] : [dw, dmOut, dmIn];
        });
        return y;
    }

    /// <summary>
    /// y = x·mask per channel of <paramref name="axis"/> (after a layer's batch-norm, so β cannot revive a pruned channel),
    /// with the gradient to the mask Σ dy·x over the other axes: <see cref="Mul"/> with the mask's
    /// length checked against the channel count first.
    /// </summary>
    public static Tensor MaskChannels(Tensor x, Tensor mask, int axis = 1)
    {
        const string op = "MaskChannels";
        CheckChannelMask(op, x.Shape, x.Shape.NormalizeAxis(axis, op), mask.Shape, "channel");
        return Mul(x, mask, axis);
    }

    /// <summary>A channel mask must be one entry per channel of the axis it masks.</summary>
    internal static void CheckChannelMask(string op, Shape x, int axis, Shape mask, string role)
    {
        if (mask.Rank != 1 || mask[0] != x[axis])
            throw TensorShapeException.Mismatch(op, x, mask,
                $"the {role} mask must be [{x[axis]}], one entry for each of the {x[axis]} channels on axis {axis}; it has {mask.Size}");
    }

    private static (int Axis, int Outer, int Inner) SelectionAxis(string op, Tensor t, ChannelSelection selection, int axis)
    {
        ArgumentNullException.ThrowIfNull(selection);
        if (!ReferenceEquals(t.Backend, selection.Backend))
            throw new ArgumentException($"{op}: the tensor lives on {t.Backend.Name}, the selection on {selection.Backend.Name} (another backend instance)");
        int k = t.Shape.NormalizeAxis(axis, op);
        return (k, t.Shape.Product(0, k), t.Shape.Product(k + 1, t.Rank));
    }

    private static Shape WithExtent(Shape shape, int axis, int extent)
    {
        var dims = shape.Dims.ToArray();
        dims[axis] = extent;
        return new Shape(dims);
    }
}
