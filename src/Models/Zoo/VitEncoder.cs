using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Zoo;

/// <summary>
/// torchvision's ViT Encoder: adds pos_embedding [1, S, E] (N(0, 0.02)), dropout, the encoder
/// layers (encoder_layer_0 …), then the final LayerNorm "ln".
/// </summary>
public sealed class VitEncoder : Module
{
    private readonly Dropout dropout;
    private readonly Sequential layers;
    private readonly LayerNorm ln;

    internal VitEncoder(ModuleInit init, LayerWidths.Reader widths, int sequence, int embed, VitSpec spec)
    {
        PosEmbedding = AddParameter("pos_embedding", init.Normal(new Shape(1, sequence, embed), 0.02f));
        dropout = AddModule("dropout", new Dropout(0f));
        layers = AddModule("layers", new Sequential(Enumerable.Range(0, spec.Depth).Select(i =>
            ($"encoder_layer_{i}", (Module)new VitEncoderBlock(init, widths, $"encoder.layers.encoder_layer_{i}", embed, spec.Heads, spec.MlpDim)))));
        ln = AddModule("ln", new LayerNorm(init, embed, 1e-6f));
    }

    public Parameter PosEmbedding { get; }

    /// <summary>x [N, S, E] → [N, S, E].</summary>
    protected override Tensor ForwardCore(Tensor x)
    {
        var pos = PosEmbedding.Value;
        if (x.Rank != 3 || x.Shape[1] != pos.Shape[1] || x.Shape[2] != pos.Shape[2])
            throw TensorShapeException.Mismatch("ViT encoder", x.Shape, pos.Shape, "tokens must be [N, S, E] with the position embedding's S and E");
        // [N, S·E] + [S·E] broadcasts per column: the one embedding added to every sample.
        int n = x.Shape[0], flat = pos.Size;
        x = F.Reshape(F.Add(F.Reshape(x, new Shape(n, flat)), F.Reshape(pos, new Shape(flat))), x.Shape);
        return ln.Forward(layers.Forward(dropout.Forward(x)));
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        trace.RecordParameter("pos_embedding", new Shape(1, input[1], input[2]));
        var x = trace.Child("layers", layers, input);
        return trace.Child("ln", ln, x);
    }
}
