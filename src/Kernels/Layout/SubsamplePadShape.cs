namespace SparseCore.Kernels.Layout;

/// <summary>
/// The option-A ResNet shortcut as one copy: x [N, C, H, W] → y [N, OutC, OutH, OutW] with
/// y[n, c, i, j] = x[n, c, Stride·i, Stride·j] for c &lt; C and 0 for the OutC − C channels after
/// them. Its backward puts dy back at the sampled positions of the kept channels, 0 elsewhere.
/// </summary>
public readonly record struct SubsamplePadShape(int N, int C, int H, int W, int OutC, int Stride)
{
    public int OutH => (H - 1) / Stride + 1;
    public int OutW => (W - 1) / Stride + 1;
    public long InputSize => (long)N * C * H * W;
    public long OutputSize => (long)N * OutC * OutH * OutW;
    /// <summary>Output elements copied from x (the rest are the padded channels' zeros).</summary>
    public long Sampled => (long)N * C * OutH * OutW;

    public void Validate(string op)
    {
        if (N <= 0 || C <= 0 || H <= 0 || W <= 0 || Stride <= 0)
            throw new ArgumentException($"{op}: extents and stride must be positive, got {this}");
        if (OutC < C)
            throw new ArgumentException($"{op}: {OutC} output channels cannot hold the input's {C}");
        if (InputSize > int.MaxValue || OutputSize > int.MaxValue)
            throw new ArgumentException($"{op}: {this} exceeds the int index range");
    }
}
