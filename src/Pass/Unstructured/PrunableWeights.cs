using SparseCore.Models.Modules;

namespace SparseCore.Pass.Unstructured;

/// <summary>One weight tensor an unstructured method prunes: its full name, parameter, layer and fan-in.</summary>
public sealed record PrunableWeight(string Name, Parameter Parameter, IMaskableWeight Layer, int FanIn)
{
    public int Size => Parameter.Value.Size;
}

/// <summary>
/// The weights unstructured pruning scores: every Conv2d's and Linear's weight — the stem, the
/// downsample shortcuts and the classifier included — and never a batch-norm parameter or a bias
/// (VPNs' and HYDRA's choice). The order is the network's parameter order, which fixes the global
/// index that breaks ties in <see cref="GlobalSelection"/>.
/// </summary>
public static class PrunableWeights
{
    public static IReadOnlyList<PrunableWeight> Of(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var list = new List<PrunableWeight>();
        foreach (var (name, module) in model.NamedModules())
        {
            if (module is not IMaskableWeight layer) continue;
            string full = name.Length == 0 ? "weight" : name + ".weight";
            list.Add(new PrunableWeight(full, layer.Weight, layer, layer.FanIn));
        }
        if (list.Count == 0) throw new ArgumentException($"{model.GetType().Name} has no Conv2d or Linear weight to prune");
        return list;
    }

    /// <summary>Masks by name from masks in the weights' order.</summary>
    public static Dictionary<string, float[]> ByName(IReadOnlyList<PrunableWeight> weights, IReadOnlyList<float[]> masks)
    {
        if (masks.Count != weights.Count) throw new ArgumentException($"{masks.Count} masks for {weights.Count} prunable weights");
        var named = new Dictionary<string, float[]>();
        for (int i = 0; i < weights.Count; i++) named[weights[i].Name] = masks[i];
        return named;
    }
}
