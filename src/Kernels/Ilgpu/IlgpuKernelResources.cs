namespace SparseCore.Kernels.Ilgpu;

/// <summary>
/// What the driver allotted one compiled kernel (CUDA only; null elsewhere): registers per thread,
/// local memory per thread (register spills and stack frames; 0 is what every kernel should show),
/// static shared memory per group, the largest group the compiled code allows, and ILGPU's
/// estimate of how many groups of <see cref="GroupSize"/> threads fit on one multiprocessor.
/// </summary>
public sealed record IlgpuKernelResources(
    string Kernel, int GroupSize, int? Registers, int? LocalBytes, int? SharedBytes, int? MaxThreadsPerGroup,
    int? ActiveGroupsPerMultiprocessor, string? Note);
