using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Layout;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>
/// Layout kernels for attention and ViT: pure data movement, each output element written exactly
/// once from one input element (so they are exact, and the backward of each is another of them).
/// Permute moves heads ([B, T, heads, d] ↔ [B, heads, T, d]); CopyAxis slices and concatenates
/// (the class token, q/k/v out of one packed projection); Patchify cuts images into patch rows;
/// SubsamplePad is the CIFAR ResNets' zero-padding shortcut in one pass.
/// </summary>
public abstract partial class Backend
{
    /// <summary>y = x with its axes reordered: y's axis k is x's axis perm[k] (rank ≤ 4). y must not be x.</summary>
    public void Permute(DeviceBuffer<float> x, DeviceBuffer<float> y, ReadOnlySpan<int> dims, ReadOnlySpan<int> perm)
    {
        var spec = PermuteSpec.Create("Permute", dims, perm);
        CheckLength("Permute", "x", x, spec.Total); CheckLength("Permute", "y", y, spec.Total);
        CheckLayoutDistinct("Permute", x, y);
        using var profile = Profile(OpFamily.Layout, 0, 8.0 * spec.Total);
        RunPermute(x, y, spec);
    }

    /// <summary>y[o, DstStart + a, i] = x[o, SrcStart + a, i] (see <see cref="AxisCopy"/>). y must not be x.</summary>
    public void CopyAxis(DeviceBuffer<float> x, DeviceBuffer<float> y, in AxisCopy copy)
    {
        copy.Validate("CopyAxis");
        CheckLength("CopyAxis", "x", x, copy.SrcTotal); CheckLength("CopyAxis", "y", y, copy.DstTotal);
        CheckLayoutDistinct("CopyAxis", x, y);
        using var profile = Profile(OpFamily.Layout, 0, 8.0 * copy.Count);
        RunCopyAxis(x, y, copy);
    }

    /// <summary>
    /// x [n, c, h, w] → y [n, (h/p)·(w/p), c·p·p]: patch (py, px) is row py·(w/p) + px, its columns
    /// ordered (c, ky, kx) like a flattened Conv2d weight [E, c, p, p], so y·W.reshape(E, −1)ᵀ is
    /// ViT's stride-p patch embedding.
    /// </summary>
    public void Patchify(DeviceBuffer<float> x, DeviceBuffer<float> y, int n, int c, int h, int w, int patch)
    {
        CheckPatchify("Patchify", n, c, h, w, patch);
        long size = (long)n * c * h * w;
        CheckLength("Patchify", "x", x, size); CheckLength("Patchify", "y", y, size);
        CheckLayoutDistinct("Patchify", x, y);
        using var profile = Profile(OpFamily.Layout, 0, 8.0 * n * c * h * w);
        RunPatchify(x, y, n, c, h, w, patch);
    }

    /// <summary>dx = the inverse rearrangement of dy (patchify is a permutation of elements).</summary>
    public void PatchifyBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int n, int c, int h, int w, int patch)
    {
        CheckPatchify("PatchifyBackward", n, c, h, w, patch);
        long size = (long)n * c * h * w;
        CheckLength("PatchifyBackward", "dy", dy, size); CheckLength("PatchifyBackward", "dx", dx, size);
        CheckLayoutDistinct("PatchifyBackward", dy, dx);
        using var profile = Profile(OpFamily.Layout, 0, 8.0 * n * c * h * w);
        RunPatchifyBackward(dy, dx, n, c, h, w, patch);
    }

    /// <summary>y = x[:, :, ::Stride, ::Stride] followed by OutC − C zero channels (see <see cref="SubsamplePadShape"/>). y must not be x.</summary>
    public void SubsamplePad(DeviceBuffer<float> x, DeviceBuffer<float> y, in SubsamplePadShape shape)
    {
        shape.Validate("SubsamplePad");
        CheckLength("SubsamplePad", "x", x, shape.InputSize); CheckLength("SubsamplePad", "y", y, shape.OutputSize);
        CheckLayoutDistinct("SubsamplePad", x, y);
        using var profile = Profile(OpFamily.Layout, 0, 4.0 * (shape.Sampled + shape.OutputSize));
        RunSubsamplePad(x, y, shape);
    }

    /// <summary>dx[n, c, h, w] = dy[n, c, h/Stride, w/Stride] where Stride divides h and w, else 0 (every dx element written). dx must not be dy.</summary>
    public void SubsamplePadBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, in SubsamplePadShape shape)
    {
        shape.Validate("SubsamplePadBackward");
        CheckLength("SubsamplePadBackward", "dy", dy, shape.OutputSize); CheckLength("SubsamplePadBackward", "dx", dx, shape.InputSize);
        CheckLayoutDistinct("SubsamplePadBackward", dy, dx);
        using var profile = Profile(OpFamily.Layout, 0, 4.0 * (shape.Sampled + shape.InputSize));
        RunSubsamplePadBackward(dy, dx, shape);
    }

    private static void CheckPatchify(string op, int n, int c, int h, int w, int patch)
    {
        if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || patch <= 0)
            throw new ArgumentException($"{op}: extents and patch size must be positive, got [{n}, {c}, {h}, {w}], patch {patch}");
        if (h % patch != 0 || w % patch != 0)
            throw new ArgumentException($"{op}: patch size {patch} must divide the image height {h} and width {w}");
        if ((long)n * c * h * w > int.MaxValue)
            throw new ArgumentException($"{op}: [{n}, {c}, {h}, {w}] exceeds the int index range");
    }

    /// <summary>Rearranging kernels read elements other threads overwrite: an aliased output is a caller's bug.</summary>
    private static void CheckLayoutDistinct(string op, DeviceBuffer<float> x, DeviceBuffer<float> y)
    {
        if (ReferenceEquals(x.Storage, y.Storage)) throw new ArgumentException($"{op}: input and output must be different buffers");
    }

    protected abstract void RunPermute(DeviceBuffer<float> x, DeviceBuffer<float> y, in PermuteSpec spec);
    protected abstract void RunCopyAxis(DeviceBuffer<float> x, DeviceBuffer<float> y, in AxisCopy copy);
    protected abstract void RunPatchify(DeviceBuffer<float> x, DeviceBuffer<float> y, int n, int c, int h, int w, int patch);
    protected abstract void RunPatchifyBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int n, int c, int h, int w, int patch);
    protected abstract void RunSubsamplePad(DeviceBuffer<float> x, DeviceBuffer<float> y, in SubsamplePadShape shape);
    protected abstract void RunSubsamplePadBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, in SubsamplePadShape shape);
}
