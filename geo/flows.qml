<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- c5map style of the layer flows -->
<qgis version="3.22.16-Białowieża" styleCategories="Symbology|Labeling" labelsEnabled="0">
 <renderer-v2 type="categorizedSymbol" attr="origin" symbollevels="0" enableorderby="0" forceraster="0">
  <categories>
   <category value="AUS" symbol="0" label="Australia" render="true" />
   <category value="CHN" symbol="1" label="China" render="true" />
   <category value="RUS" symbol="2" label="Russia" render="true" />
   <category value="USA" symbol="3" label="United States" render="true" />
  </categories>
  <symbols>
   <symbol type="line" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="line_color" value="0,158,115,255" />
      <Option type="QString" name="line_width" value="0.529" />
      <Option type="QString" name="line_width_unit" value="MM" />
      <Option type="QString" name="line_style" value="solid" />
      <Option type="QString" name="use_custom_dash" value="0" />
      <Option type="QString" name="customdash" value="1.323;0.529" />
      <Option type="QString" name="customdash_unit" value="MM" />
      <Option type="QString" name="capstyle" value="round" />
      <Option type="QString" name="joinstyle" value="round" />
      <Option type="QString" name="offset" value="0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
    </layer>
   </symbol>
   <symbol type="line" name="1" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="line_color" value="213,94,0,255" />
      <Option type="QString" name="line_width" value="0.529" />
      <Option type="QString" name="line_width_unit" value="MM" />
      <Option type="QString" name="line_style" value="solid" />
      <Option type="QString" name="use_custom_dash" value="0" />
      <Option type="QString" name="customdash" value="1.323;0.529" />
      <Option type="QString" name="customdash_unit" value="MM" />
      <Option type="QString" name="capstyle" value="round" />
      <Option type="QString" name="joinstyle" value="round" />
      <Option type="QString" name="offset" value="0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
    </layer>
   </symbol>
   <symbol type="line" name="2" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="line_color" value="204,121,167,255" />
      <Option type="QString" name="line_width" value="0.529" />
      <Option type="QString" name="line_width_unit" value="MM" />
      <Option type="QString" name="line_style" value="solid" />
      <Option type="QString" name="use_custom_dash" value="0" />
      <Option type="QString" name="customdash" value="1.323;0.529" />
      <Option type="QString" name="customdash_unit" value="MM" />
      <Option type="QString" name="capstyle" value="round" />
      <Option type="QString" name="joinstyle" value="round" />
      <Option type="QString" name="offset" value="0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
    </layer>
   </symbol>
   <symbol type="line" name="3" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="line_color" value="0,114,178,255" />
      <Option type="QString" name="line_width" value="0.529" />
      <Option type="QString" name="line_width_unit" value="MM" />
      <Option type="QString" name="line_style" value="solid" />
      <Option type="QString" name="use_custom_dash" value="0" />
      <Option type="QString" name="customdash" value="1.323;0.529" />
      <Option type="QString" name="customdash_unit" value="MM" />
      <Option type="QString" name="capstyle" value="round" />
      <Option type="QString" name="joinstyle" value="round" />
      <Option type="QString" name="offset" value="0" />
      <Option type="QString" name="offset_unit" value="MM" />
     </Option>
    </layer>
   </symbol>
  </symbols>
 </renderer-v2>
</qgis>
