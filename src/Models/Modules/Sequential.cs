using System.Globalization;
using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// Children applied in order, named "0", "1", … as torch.nn.Sequential names them, or with the
/// names given (torch.nn.Sequential of an OrderedDict).
/// </summary>
public sealed class Sequential : Module
{
    private readonly (string Name, Module Module)[] layers;

    public Sequential(params Module[] layers)
        : this(layers.Select((m, i) => (i.ToString(CultureInfo.InvariantCulture), m)))
    {
    }

    public Sequential(IEnumerable<(string Name, Module Module)> named)
    {
        layers = named.ToArray();
        foreach (var (name, module) in layers) AddModule(name, module);
    }

    public IReadOnlyList<Module> Layers => layers.Select(l => l.Module).ToArray();

    protected override Tensor ForwardCore(Tensor x)
    {
        // Without a tape each intermediate is dead once the next layer has read it (views keep
        // their storage alive by reference count), so a stage holds one block output at a time.
        bool release = !Autograd.IsEnabled;
        var input = x;
        foreach (var (_, layer) in layers)
        {
            var y = layer.Forward(x);
            if (release && !ReferenceEquals(x, input) && !ReferenceEquals(x, y)) x.Dispose();
            x = y;
        }
        return x;
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        foreach (var (name, layer) in layers) input = trace.Child(name, layer, input);
        return input;
    }
}
