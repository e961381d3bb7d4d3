using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;

namespace SparseCore.Pass.Graph;

/// <summary>
/// VGG's graph: a chain, every conv its own mask (after its batch-norm in vgg16_bn, after its bias
/// in vgg16), each reading the previous conv's mask; the first classifier Linear reads the last
/// conv's mask through the flatten (1 or 7×7 positions per channel), the rest are never masked.
/// </summary>
internal static class VggGraph
{
    public static ChannelGraph Build(Vgg model)
    {
        var b = new GraphBuilder(model);
        int? mask = null;
        var named = model.NamedModules().ToList();
        foreach (var (name, module) in named)
        {
            if (module is not Conv2d) continue;
            int dot = name.LastIndexOf('.');
            int index = int.Parse(name[(dot + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            mask = b.OwnConv(name, b.NormAt($"{name[..dot]}.{index + 1}"), mask, null);
        }
        bool first = true;
        foreach (var (name, module) in named)
        {
            if (module is not Linear) continue;
            b.AddLinear(name, first ? mask : null, null);
            first = false;
        }
        return b.Build(model.Name);
    }
}
