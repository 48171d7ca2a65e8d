from mlops_spec.main import console

console()
