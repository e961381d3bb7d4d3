using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Zoo;

/// <summary>
/// torchvision's VisionTransformer with its names: class_token, conv_proj (a Conv2d with
/// kernel = stride = patch, run as patchify + one GEMM, which is the same map for any patch size),
/// encoder (pos_embedding, layers.encoder_layer_i, ln) and heads.head, after a stateless
/// "normalize". The class token's output feeds the head. Init as torchvision: class token and head
/// zero, conv_proj <see cref="ConvInit.NormalFanIn"/>.
/// </summary>
public sealed class VisionTransformer : Module
{
    private readonly Normalize normalize;
    private readonly Conv2d convProj;
    private readonly VitEncoder encoder;
    private readonly Sequential heads;

    public VisionTransformer(ModuleInit init, VitSpec spec, InputSpec input, int classes, LayerWidths? widths = null)
    {
        if (classes <= 0) throw new ArgumentException($"{spec.Name}: classes must be positive, got {classes}");
        if (spec.Patch <= 0 || input.Height % spec.Patch != 0 || input.Width % spec.Patch != 0)
            throw new ArgumentException($"{spec.Name}: patch {spec.Patch} must divide the input size {input.Height}×{input.Width}");
        Spec = spec;
        var w = (widths ?? LayerWidths.None).Read(spec.Name);
        int embed = w.Width("conv_proj", spec.EmbedDim);
        if (embed % spec.Heads != 0) throw new ArgumentException($"{spec.Name}: {spec.Heads} heads must divide the embedding width {embed}");
        ClassToken = AddParameter("class_token", init.Constant(new Shape(1, 1, embed), 0f));
        normalize = AddModule("normalize", input.CreateNormalize());
        convProj = AddModule("conv_proj", new Conv2d(init, input.Channels, embed, spec.Patch, spec.Patch, 0, bias: true, ConvInit.NormalFanIn));
        int sequence = input.Height / spec.Patch * (input.Width / spec.Patch) + 1;
        encoder = AddModule("encoder", new VitEncoder(init, w, sequence, embed, spec));
        int outputs = w.Fixed("heads.head", classes, "the class count");
        heads = AddModule("heads", new Sequential([("head", (Module)new Linear(init.Constant(new Shape(outputs, embed), 0f), init.Constant(new Shape(outputs), 0f)))]));
        w.Finish();
    }

    public VitSpec Spec { get; }
    public Parameter ClassToken { get; }

    protected override Tensor ForwardCore(Tensor x)
    {
        x = normalize.Forward(x);
        int n = x.Shape[0], p = Spec.Patch, embed = convProj.OutChannels;
        var patches = F.Patchify(x, p); // [N, P, C·p·p], columns (c, ky, kx) as the conv weight's
        int count = patches.Shape[1], fan = patches.Shape[2];
        var weight = F.Reshape(convProj.Weight.Value, new Shape(embed, fan));
        var tokens = F.Reshape(F.Linear(F.Reshape(patches, new Shape(n * count, fan)), weight, convProj.Bias!.Value), new Shape(n, count, embed));
        var classTokens = F.Concat(Enumerable.Repeat(ClassToken.Value, n).ToList(), 0);
        var encoded = encoder.Forward(F.Concat([classTokens, tokens], 1));
        return heads.Forward(F.Reshape(F.Slice(encoded, 1, 0, 1), new Shape(n, embed)));
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        var x = trace.Child("normalize", normalize, input);
        var grid = trace.Child("conv_proj", convProj, x); // [N, E, H/p, W/p]
        int embed = grid[1];
        trace.RecordParameter("class_token", new Shape(1, 1, embed));
        var tokens = trace.Child("encoder", encoder, new Shape(grid[0], grid[2] * grid[3] + 1, embed));
        return trace.Child("heads", heads, new Shape(tokens[0], tokens[2]));
    }
}
