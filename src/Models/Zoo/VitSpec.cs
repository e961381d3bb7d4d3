namespace SparseCore.Models.Zoo;

/// <summary>A Vision Transformer's sizes: patch side, embedding width, depth, heads, MLP width.</summary>
public sealed record VitSpec(string Name, int Patch, int EmbedDim, int Depth, int Heads, int MlpDim)
{
    /// <summary>ViT-Tiny (DeiT-Ti's sizes): 192 wide, 12 layers, 3 heads, MLP 768; patch 4 suits 28–32 px.</summary>
    public static VitSpec Tiny(int patch = 4) => new("vit_tiny", patch, 192, 12, 3, 768);
}
