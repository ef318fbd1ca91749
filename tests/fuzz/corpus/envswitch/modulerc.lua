module_version("gcc/12", "latest")
module_alias("cc", "gcc/12")
