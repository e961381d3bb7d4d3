using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Prompts;

namespace SparseCore.Pass.Baselines;

/// <summary>
/// The modules behind a channel graph's layer names in one backbone (a prompted model's backbone
/// for a <see cref="PromptedModel"/>), with every weight checked against the graph's channel counts
/// so that a graph built for another network fails by name instead of scoring the wrong rows.
/// </summary>
internal sealed class BackboneLayers
{
    private readonly Dictionary<string, Module> modules;

    public BackboneLayers(Module model, ChannelGraph graph, string method)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(graph);
        var backbone = model is PromptedModel prompted ? prompted.Backbone : model;
        modules = backbone.NamedModules().ToDictionary(m => m.Name, m => m.Module);
        Graph = graph;
        Method = method;
    }

    public ChannelGraph Graph { get; }

    /// <summary>What the caller computes, for messages ("L1 importance").</summary>
    public string Method { get; }

    /// <summary>The layer's weight on the host, [out, in · positions, (k, k)], checked finite.</summary>
    public float[] Weight(ChannelLayer layer)
    {
        var weight = WeightOf(layer).Value;
        var shape = weight.Shape;
        if (shape.Rank < 2 || shape[0] != layer.OutChannels || shape[1] != layer.InChannels * layer.InputPositions)
            throw new ArgumentException(
                $"{Method}: '{layer.Name}' has weight {shape}, but the channel graph of {Graph.Model} expects {layer.OutChannels} outputs " +
                $"and {layer.InChannels * layer.InputPositions} inputs; the graph was built for another network");
        return Finite($"'{layer.Name}' weight", weight.ToArray());
    }

    /// <summary>The layer's bias on the host, or null when it has none.</summary>
    public float[]? Bias(ChannelLayer layer) => BiasParameter(layer) is { } bias ? Finite($"'{layer.Name}' bias", bias.Value.ToArray()) : null;

    /// <summary>The layer's weight itself (for a penalty that adds to its gradient), its shape checked as <see cref="Weight"/> checks it.</summary>
    public Parameter WeightParameter(ChannelLayer layer)
    {
        Weight(layer);
        return WeightOf(layer);
    }

    /// <summary>The layer's bias itself, or null when it has none.</summary>
    public Parameter? BiasParameter(ChannelLayer layer) => Module(layer.Name) switch
    {
        Conv2d conv => conv.Bias,
        Linear linear => linear.Bias,
        _ => null,
    };

    /// <summary>γ of the layer's batch-norm on the host, or null without one.</summary>
    public float[]? Gamma(ChannelLayer layer) => Norm(layer) is { } norm ? Finite($"γ of '{layer.Norm}'", norm.Weight.Value.ToArray()) : null;

    /// <summary>β of the layer's batch-norm on the host, or null without one.</summary>
    public float[]? Beta(ChannelLayer layer) => Norm(layer) is { } norm ? Finite($"β of '{layer.Norm}'", norm.Bias.Value.ToArray()) : null;

    /// <summary>The layer's batch-norm, or null when the graph gives it none.</summary>
    public BatchNorm2d? Norm(ChannelLayer layer)
    {
        if (layer.Norm is null) return null;
        return Module(layer.Norm) is BatchNorm2d norm && norm.Channels == layer.OutChannels
            ? norm
            : throw new ArgumentException($"{Method}: '{layer.Norm}' is not a {layer.OutChannels}-channel BatchNorm2d; the channel graph of {Graph.Model} was built for another network");
    }

    /// <summary>
    /// The batch-norm of a pruned layer, for the criteria that rank by γ: network slimming needs one
    /// after every pruned conv.
    /// </summary>
    public BatchNorm2d RequiredNorm(ChannelLayer layer) => Norm(layer) ?? throw NoNorm(layer);

    /// <summary>γ of <see cref="RequiredNorm"/> on the host.</summary>
    public float[] RequiredGamma(ChannelLayer layer) => Gamma(layer) ?? throw NoNorm(layer);

    private ArgumentException NoNorm(ChannelLayer layer) => new(
        $"{Method}: layer '{layer.Name}' of {Graph.Model} has no batch-norm; network slimming ranks channels by the batch-norm scale |γ| " +
        "and needs a batch-norm after every pruned conv (use vgg16_bn rather than vgg16, or another criterion)");

    /// <summary>Refuses NaN and infinity by parameter name: a diverged network has no meaningful ranking.</summary>
    private float[] Finite(string what, float[] values) => values.All(float.IsFinite)
        ? values
        : throw new ArgumentException($"{Method}: {what} holds a non-finite value; the network diverged");

    private Parameter WeightOf(ChannelLayer layer) => Module(layer.Name) switch
    {
        Conv2d conv => conv.Weight,
        Linear linear => linear.Weight,
        var other => throw new ArgumentException($"{Method}: '{layer.Name}' is a {other.GetType().Name}, not a Conv2d or Linear; the channel graph of {Graph.Model} was built for another network"),
    };

    private Module Module(string name) => modules.TryGetValue(name, out var module)
        ? module
        : throw new ArgumentException($"{Method}: the backbone has no module '{name}'; the channel graph of {Graph.Model} was built for another network");
}
