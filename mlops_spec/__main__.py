from mlops_spec.main import main

raise SystemExit(main())
