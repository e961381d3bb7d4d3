using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Masked;

namespace SparseCore.Tensors;

/// <summary>The kept weights of a pruned conv, sliced out of the full layer: [kept_out, kept_in, KH, KW] and [kept_out].</summary>
public sealed record CompactConvWeights(Tensor Weight, Tensor? Bias);

/// <summary>
/// The two physical forms of a channel-pruned conv (the third, masked-dense, is
/// <see cref="Conv2d(Tensor, Tensor, Tensor?, int, int)"/> followed by <see cref="MaskChannels"/>):
/// gather conv computes the kept channels straight from the full layer's tensors through index
/// lists; compact conv slices the weights once (<see cref="ExtractCompactConv"/>) and runs the dense
/// conv on the gathered input. Both give, on the kept channels, what masked-dense gives.
/// </summary>
public static partial class F
{
    /// <summary>
    /// The kept output channels (outSel's order) of conv(x, weight, bias) restricted to the kept
    /// input channels (inSel's order): x [N, Cin, H, W], weight [Cout, Cin, KH, KW], bias [Cout]
    /// are the full layer's; the result is [N, outSel.Count, OutH, OutW]. Gradients reach the full
    /// x, weight and bias, zero on the dropped channels.
    /// </summary>
    public static Tensor GatherConv2d(Tensor x, Tensor weight, Tensor? bias, ChannelSelection inSel, ChannelSelection outSel,
                                      int stride = 1, int padding = 0)
    {
        const string op = "GatherConv2d";
        var shape = Conv2dShapeOf(x, weight, bias, stride, stride, padding, padding, op);
        CheckSelection(op, x, inSel, shape.Cin, "input");
        CheckSelection(op, x, outSel, shape.Cout, "output");
        var y = Tensor.Empty(x.Backend, new Shape(shape.N, outSel.Count, shape.OutH, shape.OutW));
        x.Backend.GatherConv2dForward(shape, x.Buffer, weight.Buffer, bias?.Buffer, inSel, outSel, y.Buffer);
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        Autograd.Record(op, y, inputs, (g, needs) => GatherConvBackward(shape, x, weight, bias, inSel, outSel, g, needs));
        return y;
    }

    /// <summary>
    /// The gather conv's gradients are the compact conv's on the kept sub-tensors, scattered back
    /// into the full layer's tensors. Runs without a tape (inside Backward), so the gathers and
    /// scatters are plain kernels; the sub-tensors go back to the pool as soon as they are used.
    /// </summary>
    private static Tensor?[] GatherConvBackward(Conv2dShape s, Tensor x, Tensor weight, Tensor? bias,
                                                ChannelSelection inSel, ChannelSelection outSel, Tensor g, bool[] needs)
    {
        var backend = x.Backend;
        bool needsBias = bias is not null && needs[2];
        Tensor? dx = null, dw = null, db = null;
        if (inSel.Count == 0 || outSel.Count == 0)
        {
            // No kept input: the output is the bias alone. No kept output: nothing depends on anything.
            dx = needs[0] ? Tensor.Zeros(backend, x.Shape) : null;
            dw = needs[1] ? Tensor.Zeros(backend, weight.Shape) : null;
            if (needsBias)
            {
                using var perChannel = Sum(Sum(Reshape(g, new Shape(s.N, outSel.Count, s.OutH * s.OutW)), 2), 0);
                db = ScatterChannels(perChannel, outSel, s.Cout, axis: 0);
            }
            return bias is null ? [dx, dw] : [dx, dw, db];
        }
        var compact = s with { Cin = inSel.Count, Cout = outSel.Count };
        if (needs[0])
        {
            using var rows = GatherChannels(weight, outSel, axis: 0);
            using var kept = GatherChannels(rows, inSel, axis: 1);
            using var dxKept = Tensor.Empty(backend, new Shape(s.N, inSel.Count, s.H, s.W));
            backend.Conv2dBackwardData(compact, g.Buffer, kept.Buffer, dxKept.Buffer);
            dx = ScatterChannels(dxKept, inSel, s.Cin, axis: 1);
        }
        if (needs[1] || needsBias)
        {
            using var xKept = GatherChannels(x, inSel, axis: 1);
            using var dwKept = Tensor.Empty(backend, new Shape(outSel.Count, inSel.Count, s.KH, s.KW));
            using var dbKept = needsBias ? Tensor.Empty(backend, new Shape(outSel.Count)) : null;
            backend.Conv2dBackwardWeights(compact, xKept.Buffer, g.Buffer, dwKept.Buffer, dbKept?.Buffer);
            if (needs[1])
            {
                using var dwRows = ScatterChannels(dwKept, inSel, s.Cin, axis: 1);
                dw = ScatterChannels(dwRows, outSel, s.Cout, axis: 0);
            }
            if (dbKept is not null) db = ScatterChannels(dbKept, outSel, s.Cout, axis: 0);
        }
        return bias is null ? [dx, dw] : [dx, dw, db];
    }

    /// <summary>
    /// Compact conv's one-time extraction: new tensors holding weight[outSel, inSel] and
    /// bias[outSel], in the selections' orders, through <see cref="GatherChannels"/> (so a gradient
    /// taken through the compact layer reaches the full weight). Run the compact layer as
    /// <c>Conv2d(GatherChannels(x, inSel), w.Weight, w.Bias, …)</c>, or on an input that already
    /// holds only the kept channels.
    /// </summary>
    public static CompactConvWeights ExtractCompactConv(Tensor weight, Tensor? bias, ChannelSelection inSel, ChannelSelection outSel)
    {
        const string op = "ExtractCompactConv";
        if (weight.Rank != 4)
            throw new TensorShapeException(op, $"weight must be [Cout, Cin, KH, KW], got {weight.Shape}");
        CheckSelection(op, weight, inSel, weight.Shape[1], "input");
        CheckSelection(op, weight, outSel, weight.Shape[0], "output");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
            throw TensorShapeException.Mismatch(op, weight.Shape, bias.Shape, $"bias must be [{weight.Shape[0]}], one per output channel");
        var rows = GatherChannels(weight, outSel, axis: 0);
        var compact = GatherChannels(rows, inSel, axis: 1);
        return new CompactConvWeights(compact, bias is null ? null : GatherChannels(bias, outSel, axis: 0));
    }

    private static void CheckSelection(string op, Tensor t, ChannelSelection selection, int channels, string role)
    {
        ArgumentNullException.ThrowIfNull(selection);
        if (!ReferenceEquals(t.Backend, selection.Backend))
            throw new ArgumentException($"{op}: the tensors live on {t.Backend.Name}, the {role} selection on {selection.Backend.Name} (another backend instance)");
        if (selection.Width != channels)
            throw new TensorShapeException(op, $"the {role} selection picks out of {selection.Width} channels but the conv has {channels} {role} channels");
    }
}
