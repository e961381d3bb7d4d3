using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>Children applied in order, named "0", "1", … as torch.nn.Sequential names them.</summary>
public sealed class Sequential : Module
{
    private readonly Module[] layers;

    public Sequential(params Module[] layers)
    {
        this.layers = layers;
        for (int i = 0; i < layers.Length; i++) AddModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), layers[i]);
    }

    public IReadOnlyList<Module> Layers => layers;

    public override Tensor Forward(Tensor x)
    {
        foreach (var layer in layers) x = layer.Forward(x);
        return x;
    }
}
