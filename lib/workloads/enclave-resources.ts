/** The names a pod uses to ask for enclaves: device-plugin resources, our annotations, the hugepages mount. */

export const ENCLAVE_DEVICE_RESOURCE = 'aws.ec2.nitro/nitro_enclaves';
export const ENCLAVE_CPU_RESOURCE = 'aws.ec2.nitro/nitro_enclaves_cpus';
/** CPUs of each enclave the pod starts (what it passes to `nitro-cli run-enclave --cpu-count`). */
export const ENCLAVE_CPU_ANNOTATION = 'enclave-pools.aws/enclave-cpu-count';
/** MiB of each enclave the pod starts (what it passes to `nitro-cli run-enclave --memory`). */
export const ENCLAVE_MEMORY_ANNOTATION = 'enclave-pools.aws/enclave-memory-mib';
export const HUGEPAGES_MOUNT_PATH = '/dev/hugepages';

export function isNitroResourceName(name: string): boolean {
  return name.startsWith('aws.ec2.nitro/');
}

export function isHugepageName(name: string): boolean {
  return /^hugepages-/i.test(name);
}
