using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Prompts;

namespace SparseCore.Pass.Graph;

/// <summary>
/// The prunable structure of a backbone: its conv and linear layers in module order, the distinct
/// channel masks (the stem is prunable; a downsample conv shares its block's last-conv mask; the
/// classifier is never pruned) and the residual groups that couple channels. Built for the ResNets
/// (CIFAR with either shortcut, ImageNet basic and bottleneck) and VGG-16 with or without BN.
/// </summary>
public sealed class ChannelGraph
{
    internal ChannelGraph(string model, IReadOnlyList<ChannelLayer> layers, IReadOnlyList<ChannelMask> masks, IReadOnlyList<ResidualGroup> groups)
    {
        Model = model;
        Layers = layers;
        Masks = masks;
        Groups = groups;
    }

    public static IReadOnlyList<string> SupportedModels { get; } = ["resnet20", "resnet56", "resnet18", "resnet34", "resnet50", "vgg16", "vgg16_bn"];

    public string Model { get; }
    public IReadOnlyList<ChannelLayer> Layers { get; }
    public IReadOnlyList<ChannelMask> Masks { get; }
    public IReadOnlyList<ResidualGroup> Groups { get; }

    /// <summary>Σ channels over the distinct masks: what the channel-sparsity budget counts.</summary>
    public int TotalChannels => Masks.Sum(m => m.Channels);

    public ChannelLayer Layer(string name) =>
        Layers.FirstOrDefault(l => l.Name == name) ?? throw new KeyNotFoundException($"channel graph of {Model}: no layer '{name}'");

    /// <summary>The graph of a backbone (or of a prompted one's backbone).</summary>
    public static ChannelGraph Of(Module model) => model switch
    {
        PromptedModel prompted => Of(prompted.Backbone),
        ResNet resnet => ResNetGraph.Build(resnet),
        Vgg vgg => VggGraph.Build(vgg),
        _ => throw new NotSupportedException(
            $"channel graph: {Describe(model)} is not supported; PASS prunes {string.Join(", ", SupportedModels)}"),
    };

    private static string Describe(Module model) => model switch
    {
        VisionTransformer => "vit_tiny (a VisionTransformer)",
        Sequential => "a Sequential (e.g. mlp)",
        _ => model.GetType().Name,
    };
}
