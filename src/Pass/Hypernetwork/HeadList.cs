using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Hypernetwork;

/// <summary>
/// The per-mask linear heads, named "0", "1", … (torch.nn.ModuleList): indexed by mask, never run
/// as a chain, since each head reads the same LSTM state at its own step.
/// </summary>
internal sealed class HeadList : Module
{
    private readonly Linear[] heads;

    public HeadList(IEnumerable<Linear> heads)
    {
        this.heads = heads.ToArray();
        for (int i = 0; i < this.heads.Length; i++)
            AddModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), this.heads[i]);
    }

    public Linear this[int mask] => heads[mask];

    public int Count => heads.Length;

    protected override Tensor ForwardCore(Tensor x) =>
        throw new NotSupportedException("the hypernetwork's heads are applied one per LSTM step, not as a chain");
}
