using SparseCore.Kernels.Elementwise;
using SparseCore.Pass.Masks;

namespace SparseCore.Pass.Extraction;

/// <summary>
/// Keeps union mode's kept-but-zeroed channels exactly zero while an extracted network trains, so
/// that its masks stay fixed (stage 2). Extraction zeroes those channels' out-weights, bias, γ and
/// β, but training alone would revive them: β takes the gradient of everything downstream, and the
/// "pruned" channel becomes a learned constant. Each <see cref="ExtractedNetwork.ZeroedRows"/> entry
/// is held by its row mask (<see cref="GradientHold"/>), so each such channel is exactly 0 after its
/// batch-norm at every step: γ·x̂ + β with γ = β = 0 and x̂ finite. Holds nothing in shared mode,
/// which zeroes nothing.
/// </summary>
public sealed class ZeroedChannelHold : GradientHold
{
    public ZeroedChannelHold(ExtractedNetwork extracted)
    {
        ArgumentNullException.ThrowIfNull(extracted);
        var parameters = extracted.Model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (name, rows) in extracted.ZeroedRows)
        {
            var p = parameters[name];
            Hold(p, rows, new Broadcast(1, rows.Length, p.Value.Size / rows.Length));
        }
    }
}
