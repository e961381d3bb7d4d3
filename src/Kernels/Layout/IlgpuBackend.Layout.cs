using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Layout;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches the layout kernels of <see cref="IlgpuLayoutKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, PermuteSpec, int> permuteKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int, int, int, int> copyAxisKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int, int> patchifyKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int, int> patchifyBackwardKernel = null!;

    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int, int, int> subsamplePadKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int, int, int> subsamplePadBackwardKernel = null!;

    private void LoadLayout()
    {
        permuteKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, PermuteSpec, int>>(IlgpuKernelRegistry.Permute);
        copyAxisKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int, int, int, int>>(IlgpuKernelRegistry.CopyAxis);
        patchifyKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int, int>>(IlgpuKernelRegistry.Patchify);
        patchifyBackwardKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int, int>>(IlgpuKernelRegistry.PatchifyBackward);
        subsamplePadKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int, int, int>>(IlgpuKernelRegistry.SubsamplePad);
        subsamplePadBackwardKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int, int, int>>(IlgpuKernelRegistry.SubsamplePadBackward);
    }

    protected override void RunPermute(DeviceBuffer<float> x, DeviceBuffer<float> y, in PermuteSpec spec)
        => permuteKernel(stream, FlatThreads(spec.Total), View(x), View(y), spec, spec.Total);

    protected override void RunCopyAxis(DeviceBuffer<float> x, DeviceBuffer<float> y, in AxisCopy copy)
        => copyAxisKernel(stream, FlatThreads(copy.Count), View(x), View(y), copy.Count, copy.Inner, copy.Length,
                          copy.SrcAxis, copy.SrcStart, copy.DstAxis, copy.DstStart);

    protected override void RunPatchify(DeviceBuffer<float> x, DeviceBuffer<float> y, int n, int c, int h, int w, int patch)
    {
        int total = n * c * h * w;
        patchifyKernel(stream, FlatThreads(total), View(x), View(y), total, c, h, w, patch);
    }

    protected override void RunPatchifyBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int n, int c, int h, int w, int patch)
    {
        int total = n * c * h * w;
        patchifyBackwardKernel(stream, FlatThreads(total), View(dy), View(dx), total, c, h, w, patch);
    }

    protected override void RunSubsamplePad(DeviceBuffer<float> x, DeviceBuffer<float> y, in SubsamplePadShape shape)
    {
        int total = (int)shape.OutputSize;
        subsamplePadKernel(stream, FlatThreads(total), View(x), View(y), total, shape.C, shape.H, shape.W, shape.OutC, shape.Stride);
    }

    protected override void RunSubsamplePadBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, in SubsamplePadShape shape)
    {
        int total = (int)shape.InputSize;
        subsamplePadBackwardKernel(stream, FlatThreads(total), View(dy), View(dx), total, shape.C, shape.H, shape.W, shape.OutC, shape.Stride);
    }
}
