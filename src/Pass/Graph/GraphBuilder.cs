using SparseCore.Models.Modules;

namespace SparseCore.Pass.Graph;

/// <summary>Accumulates layers, masks and residual groups in module order while a backbone is walked.</summary>
internal sealed class GraphBuilder(Module model)
{
    private readonly Dictionary<string, Module> modules = model.NamedModules().ToDictionary(m => m.Name, m => m.Module);
    private readonly List<ChannelLayer> layers = new();
    private readonly List<(string Owner, int Channels, List<string> Layers, int? Group)> masks = new();
    private readonly List<(int Channels, List<string> Writers, int? PaddedFrom, string? Shortcut)> groups = new();

    public Conv2d Conv(string name) => modules.TryGetValue(name, out var m) && m is Conv2d c
        ? c : throw new InvalidOperationException($"channel graph: expected a Conv2d at '{name}'");

    public bool Has(string name) => modules.ContainsKey(name);

    public Module Get(string name) => modules[name];

    /// <summary>The norm module's name if <paramref name="name"/> is a BatchNorm2d, else null.</summary>
    public string? NormAt(string name) => modules.TryGetValue(name, out var m) && m is BatchNorm2d ? name : null;

    /// <summary>Adds a conv with a mask of its own; returns that mask's id.</summary>
    public int OwnConv(string name, string? norm, int? inputMask, int? inputGroup)
    {
        var conv = Conv(name);
        int id = masks.Count;
        masks.Add((name, conv.OutChannels, [name], null));
        layers.Add(new ChannelLayer(layers.Count, name, LayerKind.Conv, norm, conv.InChannels, conv.OutChannels, id, true, inputMask, null, inputGroup, 1));
        return id;
    }

    /// <summary>Adds a conv that shares <paramref name="mask"/> (a downsample conv and its block's last conv).</summary>
    public void SharedConv(string name, string? norm, int mask, int? inputMask, int? inputGroup)
    {
        var conv = Conv(name);
        if (conv.OutChannels != masks[mask].Channels)
            throw new InvalidOperationException($"channel graph: '{name}' has {conv.OutChannels} outputs but shares the {masks[mask].Channels}-channel mask of '{masks[mask].Owner}'");
        masks[mask].Layers.Add(name);
        layers.Add(new ChannelLayer(layers.Count, name, LayerKind.Conv, norm, conv.InChannels, conv.OutChannels, mask, false, inputMask, null, inputGroup, 1));
    }

    /// <summary>Adds a linear layer, never pruned; <paramref name="inputMask"/> is the mask its input features come from.</summary>
    public void AddLinear(string name, int? inputMask, int? inputGroup)
    {
        if (!modules.TryGetValue(name, out var m) || m is not Linear linear)
            throw new InvalidOperationException($"channel graph: expected a Linear at '{name}'");
        int inChannels = inputMask is int k ? masks[k].Channels : linear.InFeatures;
        if (linear.InFeatures % inChannels != 0)
            throw new InvalidOperationException($"channel graph: '{name}' reads {linear.InFeatures} features, not a multiple of its input's {inChannels} channels");
        layers.Add(new ChannelLayer(layers.Count, name, LayerKind.Linear, null, inChannels, linear.OutFeatures, null, false, inputMask, null, inputGroup, linear.InFeatures / inChannels));
    }

    public int NewGroup(int channels, int? paddedFrom = null, string? shortcut = null)
    {
        groups.Add((channels, new List<string>(), paddedFrom, shortcut));
        return groups.Count - 1;
    }

    /// <summary>Records that the layer <paramref name="name"/> writes into residual group <paramref name="group"/>.</summary>
    public void Writes(string name, int group)
    {
        int i = layers.FindIndex(l => l.Name == name);
        var layer = layers[i];
        if (layer.OutChannels != groups[group].Channels)
            throw new InvalidOperationException($"channel graph: '{name}' writes {layer.OutChannels} channels into a {groups[group].Channels}-channel residual stream");
        layers[i] = layer with { Group = group };
        groups[group].Writers.Add(name);
        if (layer.OwnsMask) masks[layer.Mask!.Value] = masks[layer.Mask.Value] with { Group = group };
    }

    public ChannelGraph Build(string name)
    {
        var maskList = masks.Select((m, id) => new ChannelMask(id, m.Owner, m.Channels, m.Layers, m.Group)).ToList();
        var groupList = groups.Select((g, id) => new ResidualGroup(id, g.Channels, g.Writers,
            g.Writers.Select(w => layers.First(l => l.Name == w).Mask!.Value).Distinct().ToList(), g.PaddedFrom, g.Shortcut)).ToList();
        var inGraph = layers.Select(l => l.Name).ToHashSet();
        var missed = modules.Where(m => m.Value is Conv2d or Linear && !inGraph.Contains(m.Key)).Select(m => m.Key).ToList();
        if (missed.Count > 0)
            throw new InvalidOperationException($"channel graph of {name}: layers not placed in the graph: {string.Join(", ", missed)}");
        return new ChannelGraph(name, layers.ToList(), maskList, groupList);
    }
}
