import yaml
from cfnlint.decode import cfn_yaml

from infrastructure.template import TEMPLATE, Template, _TemplateLoader

PARAMETERS = {"Stage": "qa"}


def test_names_are_resolved_for_the_stage() -> None:
    template = Template.load(PARAMETERS)
    assert template.physical_name("CaseTable") == "probation-cases-qa"
    assert template.resolve({"Fn::Sub": "bus-${Stage}-${AWS::Region}"}) == "bus-qa-eu-west-2"
    assert template.resolve({"Fn::Sub": ["${Name}-x", {"Name": {"Ref": "Stage"}}]}) == "qa-x"
    assert template.resolve({"Fn::GetAtt": ["PublisherDeadLetterQueue", "Arn"]}).endswith(
        ":probation-publisher-dlq-qa"
    )


def test_functions_take_the_global_environment_and_their_own() -> None:
    cases = next(f for f in Template.load(PARAMETERS).functions() if f.logical_id == "CasesFunction")
    assert cases.module == "functions.cases.app"
    assert cases.environment["TABLE_NAME"] == "probation-cases-qa"
    assert cases.environment["POWERTOOLS_SERVICE_NAME"] == "cases"


def test_health_is_the_only_route_without_the_authorizer() -> None:
    open_routes = [r for r in Template.load(PARAMETERS).api_routes() if not r.authorized]
    assert [(r.method, r.path) for r in open_routes] == [("GET", "/health")]


def test_the_template_reads_as_cloudformation_s_own_linter_reads_it() -> None:
    """The runner reads template.yaml with libyaml and three short forms; cfn-lint, with CloudFormation's."""
    ours = yaml.load(TEMPLATE.read_text(), Loader=_TemplateLoader)
    assert ours == cfn_yaml.load(str(TEMPLATE))
