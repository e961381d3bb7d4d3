using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Zoo;

/// <summary>
/// torchvision's pre-LN EncoderBlock: x + dropout(self_attention(ln_1(x))), then + mlp(ln_2(·)),
/// mlp = Linear → GELU → Dropout → Linear → Dropout (children 0…4). LayerNorm eps 1e-6; MLP
/// weights Xavier-uniform with biases N(0, 1e-6), as torchvision draws them.
/// </summary>
public sealed class VitEncoderBlock : Module
{
    private readonly LayerNorm ln1, ln2;
    private readonly MultiheadAttention attention;
    private readonly Dropout dropout;
    private readonly Sequential mlp;

    internal VitEncoderBlock(ModuleInit init, LayerWidths.Reader widths, string name, int embed, int heads, int mlpDim)
    {
        ln1 = AddModule("ln_1", new LayerNorm(init, embed, 1e-6f));
        widths.Fixed($"{name}.self_attention.out_proj", embed, "the residual stream's width");
        attention = AddModule("self_attention", new MultiheadAttention(init, embed, heads));
        dropout = AddModule("dropout", new Dropout(0f));
        ln2 = AddModule("ln_2", new LayerNorm(init, embed, 1e-6f));
        int hidden = widths.Width($"{name}.mlp.0", mlpDim);
        widths.Fixed($"{name}.mlp.3", embed, "the residual stream's width");
        mlp = AddModule("mlp", new Sequential(
            XavierLinear(init, embed, hidden), new GELU(), new Dropout(0f),
            XavierLinear(init, hidden, embed), new Dropout(0f)));
    }

    protected override Tensor ForwardCore(Tensor x)
    {
        x = F.Add(x, dropout.Forward(attention.Forward(ln1.Forward(x))));
        return F.Add(x, mlp.Forward(ln2.Forward(x)));
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        var y = trace.Child("ln_1", ln1, input);
        y = trace.Child("self_attention", attention, y);
        var x = trace.Residual(y, input);
        var z = trace.Child("ln_2", ln2, x);
        z = trace.Child("mlp", mlp, z);
        return trace.Residual(z, x);
    }

    private static Linear XavierLinear(ModuleInit init, int inFeatures, int outFeatures) =>
        new(init.Uniform(new Shape(outFeatures, inFeatures), MathF.Sqrt(6f / (inFeatures + outFeatures))),
            init.Normal(new Shape(outFeatures), 1e-6f));
}
