/**
 * Kubernetes label / taint key and value syntax, with EKS's tighter limits.
 */

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * EKS's own limits are tighter than Kubernetes' (botocore eks model: labelKey and taintKey are 1-63
 * characters for the WHOLE key, prefix included; labelValue is 1-63, so no empty values). A key that
 * Kubernetes accepts but EKS refuses would pass validation and fail at CreateNodegroup.
 */
const EKS_KEY_MAX = 63;

/** Why a label/taint key is invalid, or undefined when it is valid. */
export function labelKeyProblem(key: string): string | undefined {
  if (key.length > EKS_KEY_MAX) {
    return (
      `it is ${key.length} characters, and EKS allows ${EKS_KEY_MAX} for the whole key (prefix and "/" included, ` +
      'unlike Kubernetes): shorten the prefix or the name'
    );
  }
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && !DNS_SUBDOMAIN.test(prefix)) {
    return `its prefix "${prefix}" is not a DNS subdomain: use lower-case letters, digits, "-" and "."`;
  }
  if (name.length === 0 || !LABEL_NAME.test(name)) {
    return 'the name part must be letters, digits, "-", "_" or ".", starting and ending with a letter or digit: rename it';
  }
  return undefined;
}

/** Label values must not be empty on EKS; taint values may be (EKS taintValue is 0-63). */
export function labelValueProblem(value: string, options: { allowEmpty?: boolean } = {}): string | undefined {
  if (value === '') {
    return options.allowEmpty
      ? undefined
      : 'EKS refuses empty label values (1-63 characters) although Kubernetes allows them; set a value such as "true"';
  }
  if (value.length > EKS_KEY_MAX || !LABEL_NAME.test(value)) {
    return 'a value must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit: change it';
  }
  return undefined;
}
