using SparseCore.Tensors;

namespace SparseCore.Models.Flops;

/// <summary>
/// One layer's row in the cost table: shapes of one forward, trainable parameters, and
/// multiply-accumulates. <see cref="Macs"/> holds conv and linear MACs (what pruning papers count
/// as FLOPs); the two attention matmuls (q·kᵀ and weights·v) are listed apart in
/// <see cref="AttentionMacs"/>, since papers differ on whether to include them.
/// </summary>
public sealed record LayerCost(string Name, string Kind, Shape Input, Shape Output, long Parameters, long Macs, long AttentionMacs = 0);
